def exists = { String p -> assert new File(basedir, p).isFile() : "missing " + p }
exists('target/generated-sources/lossc/Top.java')
exists('target/generated-sources/lossc/com/acme/deep/Net.java')
exists('target/generated-test-sources/lossc/org/tests/Probe.java')
exists('target/classes/Top.class')
exists('target/classes/com/acme/deep/Net.class')
exists('target/test-classes/org/tests/Probe.class')
assert new File(basedir, 'target/generated-sources/lossc/com/acme/deep/Net.java').text.contains('package com.acme.deep;')
def log = new File(basedir, 'build.log').text
assert log.contains('Tests run: 1, Failures: 0, Errors: 0') : log
return true
