// Iris and IRIS in one package: the incremental build fails as a clean one does, names both
// files, leaves neither class behind, and is good again once the clash is gone.
def log = new File(basedir, 'build.log').text
def sep = File.separator
def expect = { String s -> assert log.contains(s) : "build.log lacks: " + s + "\n" + log }
expect("lossc: 1 generated, 0 up to date, 0 deleted")
expect("[ERROR] src${sep}main${sep}loss${sep}iris.loss:1:1: error: class Iris and class IRIS (from src${sep}main${sep}loss${sep}shouting.loss) differ only in case")
expect("[ERROR] src${sep}main${sep}loss${sep}shouting.loss:1:1: error: class IRIS and class Iris (from src${sep}main${sep}loss${sep}iris.loss) differ only in case")
def gen = new File(basedir, 'target/generated-sources/lossc')
assert !new File(gen, 'IRIS.java').exists() : "no IRIS.java is left behind"
assert new File(gen, 'Iris.java').isFile() : "the third build regenerates Iris.java"
assert log.count("BUILD SUCCESS") == 2 : "builds 1 and 3 succeed"
return true
