def log = new File(basedir, 'build.log').text
assert log.contains('lossc: 2 generated, 0 up to date, 0 deleted') : log
assert log.contains('lossc: 0 generated, 2 up to date, 0 deleted') : "second build regenerated:\n" + log
assert new File(basedir, 'target/generated-sources/lossc/pkg/B.java').isFile()
assert new File(basedir, 'target/classes/pkg/B.class').isFile()
return true
