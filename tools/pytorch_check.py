#!/usr/bin/env python3
"""Cross-checks lossc against PyTorch's autograd (float64): every example network, and a model that
uses the loss built-ins, are evaluated by `./lossc eval` and by the same model written in PyTorch.
Needs Debian's python3-torch. Exits 1 if any loss, gradient or output differs by more than 1e-12
(relative)."""
import json
import os
import subprocess
import sys

import torch

torch.set_default_dtype(torch.float64)
F = torch.nn.functional
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOLERANCE = 1e-12
failures = []


def lossc(model, values, *more):
    out = subprocess.run([os.path.join(ROOT, "lossc"), "eval", model, "--values", values, *more],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)


SECOND_ORDER_TOLERANCE = 1e-10
JACOBIAN_LIMIT = 2_000_000


def numel(x):
    return torch.tensor(x).numel()


def second_order(name, model, values, build, outputs, ints, ref):
    """The Hessian-vector product and the loss's jvp (double backward), each output's jvp
    (torch.autograd.functional.jvp) and Jacobian (torch.autograd.functional.jacobian) against
    `lossc eval --hvp/--jvp/--jacobian`, along a fixed direction."""
    import tempfile
    names = list(ref["gradient"].keys())
    v = {k: torch.tensor(x, dtype=torch.long) if k in ints else torch.tensor(x, requires_grad=k in names)
         for k, x in json.load(open(values)).items()}
    params = [v[p] for p in names]
    direction = [torch.sin(torch.arange(p.numel(), dtype=torch.float64) * 0.7 + k).reshape(p.shape) for k, p in enumerate(params)]
    count = sum(p.numel() for p in params)
    elements = sum(numel(o) for o in ref.get("outputs", {}).values())
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump({p: d.tolist() for p, d in zip(names, direction)}, f)
    try:
        more = ["--hvp", f.name, "--jvp", f.name]
        jacobian = outputs and elements * count <= JACOBIAN_LIMIT
        if jacobian:
            more.append("--jacobian")
        got = lossc(model, values, *more)
    finally:
        os.unlink(f.name)
    loss = build(v)
    grads = torch.autograd.grad(loss, params, create_graph=True)
    jvp = sum((g * d).sum() for g, d in zip(grads, direction))
    # A loss linear in the params has a jvp that no longer depends on them: a zero Hessian.
    hvp = torch.autograd.grad(jvp, params, allow_unused=True) if jvp.requires_grad else [None] * len(params)

    def diff(mine, theirs):
        theirs = theirs.detach()
        return ((torch.tensor(mine) - theirs).abs().max() / max(1.0, theirs.abs().max().item())).item()
    worst = abs(got["jvp"]["loss"] - jvp.item()) / max(1.0, abs(jvp.item()))
    for p, h in zip(names, hvp):
        worst = max(worst, diff(got["hvp"][p], torch.zeros_like(v[p]) if h is None else h))

    def output_of(f):
        def run(*ps):
            w = dict(v)
            w.update(zip(names, ps))
            return f(w)
        return run
    for o, f in (outputs or {}).items():
        _, t = torch.autograd.functional.jvp(output_of(f), tuple(params), tuple(direction))
        worst = max(worst, diff(got["jvp"]["outputs"][o], t))
        if jacobian:
            parts = torch.autograd.functional.jacobian(lambda *ps: output_of(f)(*ps).reshape(-1), tuple(params))
            j = torch.cat([part.reshape(part.shape[0], -1) for part in parts], dim=1)
            worst = max(worst, diff(got["jacobian"][o], j))
    print(f"{'':18s} hvp, jvp{', Jacobians' if jacobian else ''}: max relative difference {worst:.1e}")
    if not worst <= SECOND_ORDER_TOLERANCE:
        failures.append(name + " (second order)")


def check(name, model, values, build, outputs=None, ints=()):
    v = {k: torch.tensor(x, dtype=torch.long) if k in ints else torch.tensor(x, requires_grad=True)
         for k, x in json.load(open(values)).items()}
    loss = build(v)
    loss.backward()
    ref = lossc(model, values)
    worst = abs(ref["loss"] - loss.item()) / max(1.0, abs(loss.item()))
    for p, g in ref["gradient"].items():
        t = v[p].grad
        worst = max(worst, ((torch.tensor(g) - t).abs().max() / max(1.0, t.abs().max().item())).item())
    if sorted((outputs or {}).keys()) != sorted(ref.get("outputs", {}).keys()):
        failures.append(name + " (outputs " + str(sorted(ref.get("outputs", {}).keys())) + ")")
    with torch.no_grad():
        for o, f in (outputs or {}).items():
            t = f(v)
            worst = max(worst, ((torch.tensor(ref["outputs"][o]) - t).abs().max() / max(1.0, t.abs().max().item())).item())
    print(f"{name:18s} loss {loss.item():.17g}  max relative difference {worst:.1e}")
    if not worst <= TOLERANCE:
        failures.append(name)
    second_order(name, model, values, build, outputs, ints, ref)


def example(name, build, outputs=None, ints=()):
    check(name, os.path.join(ROOT, "examples", name + ".loss"), os.path.join(ROOT, "examples", name + ".json"), build, outputs, ints)


def classifier_logits(v):
    return F.relu(v["X"] @ v["W1"] + v["b1"]) @ v["W2"] + v["b2"]


def rnn(v):
    h, total = v["h0"], 0
    for t in range(v["xs"].shape[0]):
        h = torch.tanh(v["U"] @ v["xs"][t] + v["V"] @ h + v["b"])
        total = total + F.cross_entropy((v["W"] @ h + v["c"]).unsqueeze(0), v["targets"][t].unsqueeze(0))
    return total / v["xs"].shape[0]


def relu_mlp(v):
    z1 = F.relu(v["W0"] @ v["z0"] + v["b0"])
    z2 = F.relu(v["W1"] @ z1 + v["b1"])
    return F.cross_entropy((v["W2"] @ z2 + v["b2"]).unsqueeze(0), v["target"].unsqueeze(0))


def builtins(v):
    z, y, a = v["z"], v["y"], v["a"]
    return (F.mse_loss(z, y) + F.binary_cross_entropy_with_logits(z, torch.sigmoid(y)) + F.cross_entropy(z, torch.softmax(y, 1))
            + torch.logsumexp(z, 1).sum() + (torch.log_softmax(a, 0) * a).sum() + a.abs().sum() + (z ** 2).sum()
            + F.leaky_relu(z, 0.1).sum() + F.softplus(z * 300).sum()
            + F.cross_entropy((a * 400).unsqueeze(0), torch.softmax(a, 0).unsqueeze(0))
            + (z.sum(0) * a).mean() + z.mean(1)[1] + F.gelu(z * 3).sum() + F.gelu(a).sum())


def gru_states(v):
    """The final state and the summed per-step cross-entropy of examples/char_gru.loss."""
    h, total = v["h0"], 0
    for t in range(v["toks"].shape[0]):
        x = v["E"][v["toks"][t]]
        r = torch.sigmoid(v["Wr"] @ x + v["Ur"] @ h + v["br"])
        z = torch.sigmoid(v["Wz"] @ x + v["Uz"] @ h + v["bz"])
        n = torch.tanh(v["Wn"] @ x + v["bn"] + r * (v["Un"] @ h + v["cn"]))
        h = (1 - z) * n + z * h
        total = total + F.cross_entropy((v["Wo"] @ h + v["bo"]).unsqueeze(0), v["targets"][t].unsqueeze(0))
    return h, total


def ints(v):
    E, Z, vv, tok, toks = v["E"], v["Z"], v["v"], v["tok"], v["toks"]
    return (F.cross_entropy((E @ E[tok]).unsqueeze(0), tok.unsqueeze(0)) + F.cross_entropy(Z, v["labels"])
            + (torch.tanh(E[toks]) * E[toks]).sum() + (vv[toks] ** 2).sum() + vv[tok] * E[tok, 2]
            + F.cross_entropy(Z[3].unsqueeze(0), toks[3].unsqueeze(0)))


def int_matrix_run(v):
    E, Wx, Wh, b, Wo, bo, toks = v["E"], v["Wx"], v["Wh"], v["b"], v["Wo"], v["bo"], v["toks"]
    B, T = toks.shape
    h = torch.zeros(B, Wh.shape[0])
    total = 0
    for t in range(T - 1):
        h = torch.tanh(E[toks[:, t]] @ Wx + h @ Wh + b)
        total = total + F.cross_entropy(h @ Wo + bo, toks[:, t + 1])
    rows = 0
    for i in range(B):
        rows = rows + (torch.tanh(E[toks[i]]) * E[toks[i]]).sum() + E[toks[i, T - 1], 0] * E[toks[i, 0], 1]
    return total / (T - 1) + 0.01 * rows, h @ Wo + bo


def lstm_lm_run(v):
    """examples/lstm_lm.loss: an LSTM language model over a batch of sequences, with torch's own LSTM cell."""
    toks = v["toks"]
    B, T = toks.shape
    H = v["Wh"].shape[1]
    # What torch.nn.LSTMCell.forward calls, on the values' own tensors (so that their .grad is filled).
    weights = tuple(v[k] for k in ("Wi", "Wh", "bi", "bh"))
    h = torch.zeros(B, H)
    c = torch.zeros(B, H)
    total = 0
    for t in range(T - 1):
        h, c = torch._VF.lstm_cell(v["E"][toks[:, t]], (h, c), *weights)
        total = total + F.cross_entropy(h @ v["Wo"].T + v["bo"], toks[:, t + 1])
    return total / (T - 1), torch.softmax(h @ v["Wo"].T + v["bo"], 1)


def v2ops(v):
    X, vv, s = v["X"], v["v"], v["s"]
    m = (X > 0.2) * X + torch.where(X < vv, X * 2, vv) + torch.clamp(X, -0.3, 0.4)
    return (torch.amax(vv) + torch.amin(X) + torch.amax(X, 0).sum() + torch.amin(X, 1).sum() + torch.linalg.norm(vv)
            + (torch.softmax(X, 0) * X).sum() + torch.log_softmax(X, 0).sum() + torch.logsumexp(X, 0).sum() + m.sum()
            + torch.amax(vv) + torch.clamp(s, 0, 1) + (s != 0) * s)


def v3core(v):
    X, W, vv = v["X"], v["W"], v["v"]
    Y = F.elu(X @ W.T, alpha=0.7)
    return (F.elu(X).sum() + (torch.cumsum(X, 0) * X).sum() + (torch.cumsum(X, dim=1) ** 2).sum() + (torch.cumsum(vv, 0) * vv).sum()
            + (Y * Y).sum() + ((vv @ W.T) * 0.1).sum() + (X.T @ X[:, 0]).sum() + (X.sum(dim=0) * vv).sum()
            + (torch.softmax(X, -1) * X).sum() + (torch.cumsum(X, -2) * X).sum() + (X.permute(1, 0) @ X).sum()
            + (X.transpose(-1, -2) @ X).sum() + (X.mean(-1) * X[:, 0]).sum() + (X.reshape(4, 3) @ X.reshape(-1, 4)).sum()
            + (vv.unsqueeze(0) @ vv.unsqueeze(-1)).sum() + (X[1:2].squeeze(0) * vv).sum() + (torch.nn.Flatten()(X) * X).sum())


def v3lang_states(v):
    """tools/pytorch_v3lang.loss: torch's own LSTM cell (gate order i, f, g, o) from states zeros and full(0.1)."""
    X = v["X"]
    B, H = X.shape[0], v["Whh"].shape[1]
    w = (v["Wih"], v["Whh"], v["bih"], v["bhh"])
    h, c = torch.zeros(B, H), torch.full((B, H), 0.1)
    for t in range(4):
        h, c = torch.lstm_cell(X[:, 3 * t:3 * t + 3], (h, c), *w)
    return torch.lstm_cell(X[:, 0:3] * 0.5, (h, c * torch.ones(B, H)), *w)


def slices(v):
    X, s, g, U, V, A, u = v["X"], v["s"], v["g"], v["U"], v["V"], v["A"], v["u"]
    H = 3
    h, total = g[0:H], 0
    for t in range(5):
        gates = g * s[t]
        h = torch.sigmoid(gates[H:2 * H]) * h + torch.tanh(gates[3 * H:4 * H]) * s[t:t + 3].sum()
        total = total + (h * X[1:4, t]).sum()
    outer = U * V + u.unsqueeze(1) - A[2].unsqueeze(0)
    both = torch.cat([A[:, 1:4], X[:, 0:2]], 1)
    stacked = torch.cat([A[0:2], outer[1:3]], 0)
    centred = A - A.mean(1, keepdim=True)
    return (total + (torch.tanh(outer) * X).sum() + (both ** 2).sum() * 0.1 + (stacked * A[3]).sum() + (centred ** 2).sum()
            + (A[1:3, 2:5] * U[1:3]).sum())


def two_class_logits(v):
    return torch.tanh(v["X"] @ v["W1"].T + v["b1"]) @ v["W2"].T + v["b2"]


def layer_norm_logits(v):
    Z = v["X"] @ v["W1"].T + v["b1"]
    N = F.layer_norm(Z, (Z.shape[1],), v["gain"], v["shift"], eps=1e-5)
    return torch.relu(N) @ v["W2"].T + v["b2"], N


example("two_layer", lambda v: (v["w"] @ torch.sigmoid(v["V"] @ v["x"]) - v["y"]) ** 2)
example("four_layer", lambda v: (v["w"] @ torch.sigmoid(v["V3"] @ torch.sigmoid(v["V2"] @ torch.sigmoid(v["V1"] @ v["x"]))) - v["y"]) ** 2)
example("hinge", lambda v: torch.clamp(1 - (v["w"] @ v["phi"]) * v["y"], min=0))
example("worked_example", lambda v: 0.5 * ((v["target"] - torch.sigmoid(v["W2"] @ torch.sigmoid(v["W1"] @ v["x"] + v["b1"]) + v["b2"])) ** 2).sum())
example("relu_mlp", relu_mlp)
example("softmax_batch", lambda v: F.cross_entropy(v["X"] @ v["W"].T + v["b"], v["T"]) + 0.01 * (v["W"] ** 2).sum())
example("rnn", rnn)
example("classifier", lambda v: F.cross_entropy(classifier_logits(v), v["T"]),
        {"probs": lambda v: torch.softmax(classifier_logits(v), 1),
         "energy": lambda v: -torch.logsumexp(classifier_logits(v), 1).mean()})
example("char_gru", lambda v: gru_states(v)[1] / v["toks"].shape[0],
        {"next": lambda v: torch.softmax(v["Wo"] @ gru_states(v)[0] + v["bo"], 0), "state": lambda v: gru_states(v)[0]},
        ints=("toks", "targets"))

example("two_class", lambda v: F.cross_entropy(two_class_logits(v), v["labels"]),
        {"probs": lambda v: torch.softmax(two_class_logits(v), 1)}, ints=("labels",))
example("layer_norm", lambda v: F.cross_entropy(layer_norm_logits(v)[0], v["labels"]),
        {"normalized": lambda v: layer_norm_logits(v)[1], "probs": lambda v: torch.softmax(layer_norm_logits(v)[0], 1)},
        ints=("labels",))


def mnist_logits(v):
    return F.relu(v["X"] @ v["W1"].T + v["b1"]) @ v["W2"].T + v["b2"]


def mnist(rows):
    """examples/mnist.loss (batch size varying per call) at `rows` images: the example's images,
    repeated, and params drawn here (the values file holds no params), in a temporary values file."""
    import tempfile
    g = torch.Generator().manual_seed(rows)
    given = json.load(open(os.path.join(ROOT, "examples", "mnist.json")))
    values = {"X": [given["X"][i % len(given["X"])] for i in range(rows)],
              "labels": [(given["labels"][i % len(given["labels"])] + i) % 10 for i in range(rows)],
              "W1": (torch.randn(128, 784, generator=g) * 0.05).tolist(), "b1": (torch.randn(128, generator=g) * 0.1).tolist(),
              "W2": (torch.randn(10, 128, generator=g) * 0.1).tolist(), "b2": (torch.randn(10, generator=g) * 0.1).tolist()}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(values, f)
    try:
        check(f"mnist, B = {rows}", os.path.join(ROOT, "examples", "mnist.loss"), f.name,
              lambda v: F.cross_entropy(mnist_logits(v), v["labels"]),
              {"probs": lambda v: torch.softmax(mnist_logits(v), 1)}, ints=("labels",))
    finally:
        os.unlink(f.name)


for rows in (1, 7, 64):
    mnist(rows)
check("int inputs", os.path.join(ROOT, "tools", "pytorch_ints.loss"), os.path.join(ROOT, "tools", "pytorch_ints.json"), ints,
      ints=("tok", "toks", "labels"))
check("v2 operators", os.path.join(ROOT, "tools", "pytorch_v2ops.loss"), os.path.join(ROOT, "tools", "pytorch_v2ops.json"), v2ops)
check("v3 core", os.path.join(ROOT, "tools", "pytorch_v3core.loss"), os.path.join(ROOT, "tools", "pytorch_v3core.json"), v3core,
      {"Y": lambda v: F.elu(v["X"] @ v["W"].T, alpha=0.7)})
check("v3 language", os.path.join(ROOT, "tools", "pytorch_v3lang.loss"), os.path.join(ROOT, "tools", "pytorch_v3lang.json"),
      lambda v: F.mse_loss(v3lang_states(v)[0], v["Y"]) + 0.01 * v3lang_states(v)[1].sum(), {"state": lambda v: v3lang_states(v)[0]})
def conv_run(v):
    """tools/pytorch_conv.loss: convolutions and pools with every option, written with torch.nn.functional."""
    X, S, K1, b1, K2, K3, w = (v[k] for k in ("X", "S", "K1", "b1", "K2", "K3", "w"))
    a = F.conv2d(X, K1, stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=2) + b1.reshape(6, 1, 1)
    m = F.max_pool2d(F.relu(torch.tanh(a) - 0.2), kernel_size=(2, 3), stride=(2, 2), padding=(1, 1))
    c2 = F.conv2d(m, K2, padding=1)
    out = F.avg_pool2d(c2, 3, stride=2, padding=1)
    s1 = F.conv1d(S, K3, stride=2, padding=1, dilation=2, groups=2)
    p1 = F.max_pool1d(F.relu(s1), 2)
    q1 = F.avg_pool1d(s1, kernel_size=3, stride=1, padding=1)
    u = a.sum(1).mean(-1)
    e = K2[1, 2]
    g = q1.unsqueeze(1).squeeze(1)
    loss = ((out.flatten(1) ** 2).sum() + p1.mean() + (q1 * w[0:4]).sum() + (u * u).sum() + 0.01 * (e * e).sum()
            + 0.1 * (g * g * w[1:5].reshape(1, 1, 4)).sum())
    return loss, out


def seq_run(v):
    """tools/pytorch_seq.loss: a batch of sequences [B, T, D] through torch.matmul and the last-axis functions."""
    X, toks, W, b, U, c, g = (v[k] for k in ("X", "toks", "W", "b", "U", "c", "g"))
    h = torch.tanh(X @ W.T + b)
    centered = h - h.mean(-1).unsqueeze(-1)
    z = centered @ U.T + c
    p = torch.softmax(z, -1)
    lse = torch.logsumexp(z, -1)
    ce = F.cross_entropy(z.reshape(-1, z.shape[-1]), toks.reshape(-1))
    loss = ce + 0.1 * (torch.log_softmax(z, -1) * p).sum() + 0.01 * (lse * lse).sum() + 0.1 * (h @ g).sum()
    return loss, p


def tensors_run(v):
    """tools/pytorch_tensors.loss: slices, functions along axes, concat, broadcast batched products, int tensors."""
    X, toks, labels, A, C, E, W, M = (v[k] for k in ("X", "toks", "labels", "A", "C", "E", "W", "M"))
    s = X[:, 0:2, :, 1:4]
    p = torch.softmax(s, 1) + torch.log_softmax(s, -2) * 0.1
    q = s @ C[0, :, 0] + torch.cumsum(s, 2).sum(-1) * 0.5
    j = torch.cat((s, s * s), 1)
    m = torch.tanh(M @ X[:, 1, :, 0:3])
    b = A @ C
    z = E[toks] @ W
    loss = (F.cross_entropy(z.reshape(-1, z.shape[-1]), labels.reshape(-1)) + (p * s).sum() + (q ** 2).mean()
            + torch.amax(j, 1).sum() - (torch.amin(j, 2) * 0.3).sum() + 0.1 * torch.logsumexp(j, 1).sum()
            + (m * X[:, 2, :, 1:4]).sum() + (b ** 2).mean() + (torch.cat((b, b * b), -1) * 0.2).sum())
    return loss, torch.softmax(z, 2)


def attention_run(v):
    """examples/attention.loss: multi-head self-attention with torch.matmul's batched products."""
    X, labels = v["X"], v["labels"]
    B, T, D = X.shape
    H, E = 4, 4
    q = (X @ v["Wq"].T).reshape(B, T, H, E).permute(0, 2, 1, 3)
    k = (X @ v["Wk"].T).reshape(B, T, H, E).permute(0, 2, 3, 1)
    val = (X @ v["Wv"].T).reshape(B, T, H, E).permute(0, 2, 1, 3)
    att = torch.softmax(q @ k * 0.5, -1)
    heads = (att @ val).permute(0, 2, 1, 3).reshape(B, T, D)
    h = X + heads @ v["Wo"].T + v["bo"]
    logits = h @ v["Wc"].T + v["bc"]
    return F.cross_entropy(logits.reshape(-1, 2), labels.reshape(-1)), torch.softmax(logits, -1)


def attention_check():
    """examples/attention.loss with params drawn here (its values file holds the inputs only)."""
    import tempfile
    g = torch.Generator().manual_seed(11)
    values = json.load(open(os.path.join(ROOT, "examples", "attention.json")))
    for name, shape in (("Wq", (16, 16)), ("Wk", (16, 16)), ("Wv", (16, 16)), ("Wo", (16, 16)), ("bo", (16,)), ("Wc", (2, 16)), ("bc", (2,))):
        values[name] = (torch.randn(*shape, generator=g) * 0.3).tolist()
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(values, f)
    try:
        check("attention", os.path.join(ROOT, "examples", "attention.loss"), f.name, lambda v: attention_run(v)[0],
              {"probs": lambda v: attention_run(v)[1]}, ints=("labels",))
    finally:
        os.unlink(f.name)


def batch_norm_check():
    """tools/pytorch_batchnorm.loss against torch.nn.BatchNorm1d: the outputs in eval mode from the
    states as given, then the loss and gradient in training mode and the states it leaves."""
    model = os.path.join(ROOT, "tools", "pytorch_batchnorm.loss")
    values = os.path.join(ROOT, "tools", "pytorch_batchnorm.json")
    given = json.load(open(values))
    v = {k: torch.tensor(x, dtype=torch.long) if k == "labels" else torch.tensor(x, requires_grad=k not in ("m1", "v1"))
         for k, x in given.items()}
    bn1 = torch.nn.BatchNorm1d(5, eps=1e-3, momentum=0.3)
    bn2 = torch.nn.BatchNorm1d(3, affine=False)
    with torch.no_grad():
        bn1.weight.copy_(v["g1"])
        bn1.bias.copy_(v["be1"])
        bn1.running_mean.copy_(v["m1"])
        bn1.running_var.copy_(v["v1"])

    def forward():
        z = bn1(v["X"] @ v["W1"].T + v["b1"])
        return z, bn2(F.relu(z) @ v["W2"].T + v["b2"])

    bn1.eval()
    bn2.eval()
    with torch.no_grad():
        hidden, logits = forward()
        probs = torch.softmax(logits, 1)
    bn1.train()
    bn2.train()
    z, logits = forward()
    loss = F.cross_entropy(logits, v["labels"])
    loss.backward()
    grads = dict(v, g1=bn1.weight, be1=bn1.bias)
    ref = lossc(model, values)
    worst = abs(ref["loss"] - loss.item()) / max(1.0, abs(loss.item()))

    def diff(mine, theirs):
        return ((torch.tensor(mine) - theirs).abs().max() / max(1.0, theirs.abs().max().item())).item()
    for p, g in ref["gradient"].items():
        worst = max(worst, diff(g, grads[p].grad))
    worst = max(worst, diff(ref["outputs"]["hidden"], hidden), diff(ref["outputs"]["probs"], probs))
    for name, t in (("m1", bn1.running_mean), ("v1", bn1.running_var), ("m2", bn2.running_mean), ("v2", bn2.running_var)):
        worst = max(worst, diff(ref["states"][name], t.detach()))
    print(f"{'batch_norm':18s} loss {loss.item():.17g}  max relative difference {worst:.1e}")
    if not worst <= TOLERANCE:
        failures.append("batch_norm")


def batch_norm_2d_check():
    """tools/pytorch_batchnorm2d.loss against torch.nn.BatchNorm2d: the output in eval mode from the
    states as given, then the loss and gradient in training mode and the states it leaves."""
    model = os.path.join(ROOT, "tools", "pytorch_batchnorm2d.loss")
    values = os.path.join(ROOT, "tools", "pytorch_batchnorm2d.json")
    v = {k: torch.tensor(x, requires_grad=k not in ("m", "v")) for k, x in json.load(open(values)).items()}
    bn = torch.nn.BatchNorm2d(3, eps=1e-4, momentum=0.2)
    with torch.no_grad():
        bn.weight.copy_(v["g"])
        bn.bias.copy_(v["be"])
        bn.running_mean.copy_(v["m"])
        bn.running_var.copy_(v["v"])
    bn.eval()
    with torch.no_grad():
        maps = bn(F.conv2d(v["X"], v["K"], padding=1))
    bn.train()
    y = bn(F.conv2d(v["X"], v["K"], padding=1))
    s = F.relu(y).mean(-1).mean(-1)
    loss = ((s @ v["W"].T) ** 2).sum()
    loss.backward()
    grads = dict(v, g=bn.weight, be=bn.bias)
    ref = lossc(model, values)

    def diff(mine, theirs):
        return ((torch.tensor(mine) - theirs).abs().max() / max(1.0, theirs.abs().max().item())).item()
    worst = abs(ref["loss"] - loss.item()) / max(1.0, abs(loss.item()))
    for p, g in ref["gradient"].items():
        worst = max(worst, diff(g, grads[p].grad))
    worst = max(worst, diff(ref["outputs"]["maps"], maps))
    for name, t in (("m", bn.running_mean), ("v", bn.running_var)):
        worst = max(worst, diff(ref["states"][name], t.detach()))
    print(f"{'batch_norm 2d':18s} loss {loss.item():.17g}  max relative difference {worst:.1e}")
    if not worst <= TOLERANCE:
        failures.append("batch_norm 2d")


batch_norm_check()
batch_norm_2d_check()
example("lstm_lm", lambda v: lstm_lm_run(v)[0], {"next": lambda v: lstm_lm_run(v)[1]}, ints=("toks",))
check("int matrix", os.path.join(ROOT, "tools", "pytorch_int_matrix.loss"), os.path.join(ROOT, "tools", "pytorch_int_matrix.json"),
      lambda v: int_matrix_run(v)[0], {"logits": lambda v: int_matrix_run(v)[1]}, ints=("toks",))
check("conv, pool", os.path.join(ROOT, "tools", "pytorch_conv.loss"), os.path.join(ROOT, "tools", "pytorch_conv.json"),
      lambda v: conv_run(v)[0], {"maps": lambda v: conv_run(v)[1]})
attention_check()
check("sequences", os.path.join(ROOT, "tools", "pytorch_seq.loss"), os.path.join(ROOT, "tools", "pytorch_seq.json"),
      lambda v: seq_run(v)[0], {"probs": lambda v: seq_run(v)[1]}, ints=("toks",))
check("tensors", os.path.join(ROOT, "tools", "pytorch_tensors.loss"), os.path.join(ROOT, "tools", "pytorch_tensors.json"),
      lambda v: tensors_run(v)[0], {"probs": lambda v: tensors_run(v)[1]}, ints=("toks", "labels"))
check("slices, broadcasting", os.path.join(ROOT, "tools", "pytorch_slices.loss"), os.path.join(ROOT, "tools", "pytorch_slices.json"), slices)
def bundle_adjustment(v):
    """gradbench's ba: reprojection residuals (Rodrigues rotation, projection, radial distortion) and weight residuals."""
    cam, x = v["cams"][v["camOf"]], v["X"][v["pointOf"]]
    d = x - cam[:, 3:6]
    r = cam[:, 0:3]
    theta = r.norm(dim=1, keepdim=True)
    k = r / theta
    c, s = torch.cos(theta), torch.sin(theta)
    rot = d * c + torch.cross(k, d, dim=1) * s + k * ((k * d).sum(1, keepdim=True) * (1 - c))
    p = rot[:, 0:2] / rot[:, 2:3]
    rsq = (p ** 2).sum(1, keepdim=True)
    proj = cam[:, 6:7] * (1 + cam[:, 9:10] * rsq + cam[:, 10:11] * rsq ** 2) * p + cam[:, 7:9]
    e = v["w"].unsqueeze(1) * (proj - v["feat"])
    ew = 1 - v["w"] ** 2
    return (e ** 2).sum() + (ew ** 2).sum(), e[:, 0], e[:, 1], ew


check("bundle adjustment", os.path.join(ROOT, "tools", "pytorch_ba.loss"), os.path.join(ROOT, "tools", "pytorch_ba.json"),
      lambda v: bundle_adjustment(v)[0], {"reproj_x": lambda v: bundle_adjustment(v)[1], "reproj_y": lambda v: bundle_adjustment(v)[2],
                                          "weight": lambda v: bundle_adjustment(v)[3]}, ints=("camOf", "pointOf"))
check("loss built-ins", os.path.join(ROOT, "tools", "pytorch_builtins.loss"), os.path.join(ROOT, "tools", "pytorch_builtins.json"), builtins)

if failures:
    print("differs from PyTorch:", ", ".join(failures))
    sys.exit(1)
print("all agree with PyTorch", torch.__version__)
