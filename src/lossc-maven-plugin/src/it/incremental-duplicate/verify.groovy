// The duplicate is caught by the incremental build, both files are named, no class is left that
// either could have written, and removing the duplicate makes the next incremental build good.
def log = new File(basedir, 'build.log').text
def sep = File.separator
def expect = { String s -> assert log.contains(s) : "build.log lacks: " + s + "\n" + log }
expect("lossc: 1 generated, 0 up to date, 0 deleted")
expect("[ERROR] src${sep}main${sep}loss${sep}dup_iris.loss:1:1: error: class Iris is also generated from src${sep}main${sep}loss${sep}iris.loss")
expect("[ERROR] src${sep}main${sep}loss${sep}iris.loss:1:1: error: class Iris is also generated from src${sep}main${sep}loss${sep}dup_iris.loss")
expect("lossc: 2 errors in 2 files")
def iris = new File(basedir, 'target/generated-sources/lossc/Iris.java')
assert iris.isFile() : "the third build regenerates Iris.java"
assert iris.text.contains("cross_entropy(W @ x + b, label)") : "Iris.java comes from iris.loss, not the duplicate"
assert !iris.text.contains("loss w * w") : "Iris.java comes from iris.loss, not the duplicate"
assert new File(basedir, 'target/classes/Iris.class').isFile()
assert !new File(basedir, 'src/main/loss/dup_iris.loss').exists()
assert log.count("BUILD SUCCESS") == 2 : "builds 1 and 3 succeed"
return true
