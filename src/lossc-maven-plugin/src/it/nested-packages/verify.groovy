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
// Each generated class's cost summary (lossc report's totals) is in the build log.
def summary = log.readLines().find { it.contains('lossc: Net: ') }
assert summary != null : log
assert summary.contains('params 24, gradient 24') : summary
assert summary =~ /Net: [0-9,]+ FLOPs forward, [0-9,]+ backward; [0-9,]+ bytes \(params [0-9,]+, gradient [0-9,]+, work [0-9,]+, per-iteration [0-9,]+, snapshots [0-9,]+\); largest method Net\.[A-Za-z0-9_]+\(.*\).*, [0-9,]+ of 8,000 bytecode bytes/ : summary
assert log.contains('lossc: Top: ') : log
return true
