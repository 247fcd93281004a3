// <precision>float</precision>: the class's API is float, and the test that trains it compiles and passes.
def gen = new File(basedir, 'target/generated-sources/lossc/com/acme/Line.java')
assert gen.isFile() : "missing " + gen
assert gen.text.contains('public float[] parameters()') : gen.text
assert gen.text.contains('public float lossAndGradient(float[] x, float[] y)') : gen.text
def log = new File(basedir, 'build.log').text
assert log.contains('Tests run: 1, Failures: 0, Errors: 0') : log
return true
