// The build fails once, at the end, after reporting every error of every file at its place.
def log = new File(basedir, 'build.log').text
def sep = File.separator
def expect = { String s -> assert log.contains(s) : "build.log lacks: " + s + "\n" + log }
expect("[ERROR] src${sep}main${sep}loss${sep}bad.loss:3:19: error: unknown name 'q'")
expect("[ERROR] loss sum(w * x) + q;")
expect("[ERROR]                   ^")
expect("[ERROR] src${sep}main${sep}loss${sep}bad.loss:3:12: error: '*' cannot combine shapes [2] and [3]")
expect("[ERROR] src${sep}main${sep}loss${sep}sub${sep}worse.loss:3:9: error: unexpected ';'")
expect("lossc: 3 errors in 2 files")
assert !log.contains("\tat dev.lossc") : "no stack trace from lossc"
assert !new File(basedir, 'target/generated-sources/lossc/sub').exists()
return true
