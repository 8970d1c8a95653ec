"""Residual connections, y = x + F(x): from scratch in NumPy, in PyTorch, and measured on deep stacks.

A residual MLP block with its hand-derived backward pass; ResNet's post- and pre-activation blocks; measured: the
gradient at each layer of deep stacks, plain vs residual training on the digits, the residual stream's growth.
Run: python code/architectures/residual_connections.py [--measure | --train | --pitfalls | --check]

Page: docs/architectures/residual-connections.md (topic 21). Papers: He, Zhang, Ren & Sun (2016), "Deep residual
learning for image recognition" and "Identity mappings in deep residual networks"; Srivastava, Greff & Schmidhuber
(2015), "Highway networks"; Veit, Wilber & Belongie (2016), "Residual networks behave like ensembles of relatively
shallow networks"; Goyal et al. (2017), "Accurate, large minibatch SGD"; Radford et al. (2019), GPT-2.
"""
import sys  # only the command line below uses it

# --8<-- [start:imports]
import contextlib
import functools
import time

import numpy as np
# --8<-- [end:imports]
# --8<-- [start:torch_imports]
import torch
import torch.nn.functional as F
from torch import nn
# --8<-- [end:torch_imports]
# --8<-- [start:block]


def _check_block(x, W1, b1, W2, b2, W_s):
    """float64 copies of the arrays of eq. (10), after checking that their shapes fit together."""
    for name, a in zip(("x", "W1", "b1", "W2", "b2"), (x, W1, b1, W2, b2)):
        if np.asarray(a).dtype.kind not in "fiu":
            raise TypeError(f"{name} must hold real numbers (a float or integer dtype), got {np.asarray(a).dtype}")
    x, W1, b1, W2, b2 = (np.asarray(a, dtype=np.float64) for a in (x, W1, b1, W2, b2))
    if x.ndim != 2 or W1.ndim != 2 or W2.ndim != 2:
        raise ValueError(f"x, W1 and W2 must be matrices: x (N, d), W1 (h, d), W2 (d_out, h); got x {x.shape}")
    (N, d), h, d_out = x.shape, len(W1), len(W2)
    if W_s is None and d_out != d:
        raise ValueError(f"the identity shortcut adds x of shape (N, d) = {x.shape} to F(x) of shape (N, d_out) = "
                         f"{(N, d_out)}: d_out must equal d, or pass a projection W_s of shape {(d_out, d)}")
    W_s = None if W_s is None else np.asarray(W_s, dtype=np.float64)
    for name, a, shape in [("W1", W1, (h, d)), ("b1", b1, (h,)), ("W2", W2, (d_out, h)), ("b2", b2, (d_out,)),
                           ("the projection W_s", W_s, (d_out, d))]:
        if a is not None and a.shape != shape:
            raise ValueError(f"{name} must have shape {shape} for x of shape (N, d) = {x.shape}, got {a.shape}")
    return x, W1, b1, W2, b2, W_s


def residual_block(x, W1, b1, W2, b2, W_s=None, norm=True, eps=1e-5):
    """y = S x + F(x), eq. (10): F(x) = W2 relu(W1 LN(x) + b1) + b2 (LN only if norm), and S the identity,
    or the projection W_s (d_out, d) when the widths differ. Returns y (N, d_out) and the backward's cache."""
    x, W1, b1, W2, b2, W_s = _check_block(x, W1, b1, W2, b2, W_s)
    u, sigma = x, None
    if norm:                                                   # LayerNorm without gamma, beta: eq. (11)
        sigma = np.sqrt(x.var(axis=1, keepdims=True) + eps)    # (N, 1), the biased variance, as PyTorch
        u = (x - x.mean(axis=1, keepdims=True)) / sigma        # (N, d): each row mean 0, variance ~1
    z = u @ W1.T + b1                                          # (N, h)
    a = np.maximum(z, 0.0)                                     # (N, h)
    f = a @ W2.T + b2                                          # (N, d_out): the branch F(x)
    s = x if W_s is None else x @ W_s.T                        # (N, d_out): the shortcut, x itself if identity
    return s + f, (x, u, sigma, z, a, W1, W2, W_s)


def residual_block_backward(dy, cache):
    """Every gradient of the block from dy = dJ/dy (N, d_out), eq. (13): the shortcut's part plus the branch's."""
    x, u, sigma, z, a, W1, W2, W_s = cache
    dz = (dy @ W2) * (z > 0)                                   # (N, h): relu'(z) is 1 where z > 0, else 0
    dx_branch = du = dz @ W1                                   # (N, d)
    if sigma is not None:                                      # back through LayerNorm, eq. (12), per row
        d = u.shape[1]
        dx_branch = (d * du - du.sum(axis=1, keepdims=True) - u * (du * u).sum(axis=1, keepdims=True)) / (d * sigma)
    dx_short = dy if W_s is None else dy @ W_s                 # eq. (3): the identity term
    grads = {"x": dx_short + dx_branch, "W1": dz.T @ u, "b1": dz.sum(axis=0),
             "W2": dy.T @ a, "b2": dy.sum(axis=0)}             # weights: a linear layer's dW = dZ^T A
    if W_s is not None:
        grads["W_s"] = dy.T @ x                                # (d_out, d)
    return grads
# --8<-- [end:block]
# --8<-- [start:torch_block]


class ResidualMLP(nn.Module):
    """eq. (10) in PyTorch: shortcut(x) + fc2(relu(fc1(norm(x)))), a projection shortcut when d_out != d."""

    def __init__(self, d, h, d_out=None, norm=True):
        super().__init__()
        d_out = d if d_out is None else d_out
        self.norm = nn.LayerNorm(d, elementwise_affine=False) if norm else nn.Identity()
        self.fc1, self.fc2 = nn.Linear(d, h), nn.Linear(h, d_out)
        self.shortcut = nn.Identity() if d_out == d else nn.Linear(d, d_out, bias=False)

    def branch(self, x):                                       # F(x): (N, d) -> (N, d_out)
        return self.fc2(F.relu(self.fc1(self.norm(x))))

    def forward(self, x):
        return self.shortcut(x) + self.branch(x)               # nothing after the sum
# --8<-- [end:torch_block]
# --8<-- [start:conv_blocks]


def projection(c_in, c_out, stride, bn=True):
    """The 1x1 convolution shortcut, only where the shapes differ (channels, or stride > 1); else None."""
    if stride == 1 and c_in == c_out:
        return None
    conv = nn.Conv2d(c_in, c_out, kernel_size=1, stride=stride, bias=False)   # (c_out, c_in, 1, 1) weights
    return nn.Sequential(conv, nn.BatchNorm2d(c_out)) if bn else conv


class BasicBlock(nn.Module):
    """Post-activation relu(S(x) + BN(conv(relu(BN(conv(x)))))), named as torchvision's BasicBlock is."""

    def __init__(self, c_in, c_out, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False)  # BN's beta is the bias
        self.bn1, self.bn2 = nn.BatchNorm2d(c_out), nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1, bias=False)
        self.downsample = projection(c_in, c_out, stride)

    def forward(self, x):                                      # (N, c_in, H, W) -> (N, c_out, H/s, W/s)
        f = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        s = x if self.downsample is None else self.downsample(x)
        return F.relu(s + f)                                   # ReLU AFTER the addition: post-activation


class PreActBlock(nn.Module):
    """Pre-activation (He et al. 2016b): x + conv(relu(BN(conv(relu(BN(x)))))), nothing after the sum, eq. (8)."""

    def __init__(self, c_in, c_out, stride=1):
        super().__init__()
        self.bn1, self.conv1 = nn.BatchNorm2d(c_in), nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False)
        self.bn2, self.conv2 = nn.BatchNorm2d(c_out), nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False)
        self.shortcut = projection(c_in, c_out, stride, bn=False)

    def forward(self, x):
        a = F.relu(self.bn1(x))                                # the branch's "pre-activation"
        s = x if self.shortcut is None else self.shortcut(a)   # a projection reads the normalized input
        return s + self.conv2(F.relu(self.bn2(self.conv1(a))))
# --8<-- [end:conv_blocks]
# --8<-- [start:stack]


class Stack(nn.Module):
    """Input, L blocks x_{l+1} = skip x_l + F_l(x_l), output: skip 1 eq. (4), skip 0 eq. (6), same weights."""

    def __init__(self, d_in, m, C, L, skip=1.0, norm=False, seed=0):
        super().__init__()
        torch.manual_seed(seed)
        self.inp, self.out, self.skip = nn.Linear(d_in, m), nn.Linear(m, C), skip
        self.blocks = nn.ModuleList(ResidualMLP(m, m, norm=norm) for _ in range(L))

    def forward(self, X, stream=None):                         # (N, d_in) -> (N, C) logits
        stream = [] if stream is None else stream              # a caller's list receives x_0, ..., x_L
        stream.append(self.inp(X))                             # x_0: (N, m)
        for block in self.blocks:
            stream.append(self.skip * stream[-1] + block.branch(stream[-1]))
        return self.out(stream[-1])


def init_(stack, scheme):
    """'default': nn.Linear's, Var(W) = 1/(3 fan_in); 'he': fc1 2/fan_in, fc2 1/fan_in, biases 0 (rho = 1 in eq. (7));
    'scaled': each branch's last layer times 1/sqrt(L) (GPT-2); 'zero': it is 0, every block the identity."""
    if scheme not in ("default", "he", "scaled", "zero"):
        raise ValueError(f"scheme must be 'default', 'he', 'scaled' or 'zero', got {scheme!r}")
    c = {"scaled": len(stack.blocks) ** -0.5, "zero": 0.0}.get(scheme, 1.0)
    with torch.no_grad():
        for b in stack.blocks:
            if scheme == "he":
                nn.init.kaiming_normal_(b.fc1.weight, nonlinearity="relu")
                nn.init.kaiming_normal_(b.fc2.weight, nonlinearity="linear")
                b.fc1.bias.zero_(), b.fc2.bias.zero_()
            b.fc2.weight.mul_(c), b.fc2.bias.mul_(c)           # the branch output F_l times c
    return stack


def digits(n_train=1200, seed=0):
    """scikit-learn's bundled 8x8 digits, shuffled, split, standardized: X (N, 64) float32, y (N,), twice."""
    from sklearn.datasets import load_digits
    X, y = load_digits(return_X_y=True)
    order = np.random.default_rng(seed).permutation(len(X))
    X, y = X[order], y[order]
    mu, sd = X[:n_train].mean(axis=0), X[:n_train].std(axis=0)
    X, y = torch.tensor((X - mu) / np.where(sd > 0, sd, 1.0), dtype=torch.float32), torch.tensor(y)  # blank: 0
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]
# --8<-- [end:stack]
# --8<-- [start:measure]


@contextlib.contextmanager
def one_thread():
    """PyTorch on 1 CPU thread (tiny matrices: a second one only waits for the first), then as before."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


RHO = {"default": 1 / 18, "he": 1.0}       # eq. (7): rho = m Var(W1) * 1/2 * h Var(W2), per init scheme


def stream_grad_norms(stack, X, y):
    """||dJ/dx_l|| for l = 0..L (over the whole batch), J the mean cross-entropy: eqs. (4) and (6) measured."""
    stream = []
    with one_thread():
        J = F.cross_entropy(stack(X, stream), y)
        return np.array([g.norm().item() for g in torch.autograd.grad(J, stream)])


@functools.lru_cache(maxsize=1)
def grad_table(L=16, m=32, N=256):
    """||dJ/dx_l||, l = 0..L, on N digits for each (skip, init), same seed; and eq. (7)'s sqrt(skip^2 + rho)."""
    torch.manual_seed(1)                                       # at initialization any batch will do
    X, y, rows = torch.randn(N, 64), torch.randint(0, 10, (N,)), {}
    for skip, scheme in [(0.0, "default"), (1.0, "default"), (0.0, "he"), (1.0, "he")]:
        name = f"{'residual' if skip else 'plain'}, {'He' if scheme == 'he' else 'default'} init"
        norms = stream_grad_norms(init_(Stack(64, m, 10, L, skip=skip), scheme), X, y)
        rows[name] = (norms, (skip ** 2 + RHO[scheme]) ** 0.5)
    return rows


@functools.lru_cache(maxsize=1)
def stream_table(L=48, m=32, N=256):
    """RMS of x_l, l = 0..L, in 4 residual stacks; eq. (14)'s sqrt(q_0 + sum v_l), v_l = mean (x_{l+1} - x_l)^2."""
    X, rows = torch.randn(N, 64, generator=torch.Generator().manual_seed(1)), {}
    for name, norm, scheme in [("pre-LN, default init", True, "default"), ("pre-LN, branch x 1/sqrt(L)", True,
                               "scaled"), ("pre-LN, last layer zero", True, "zero"), ("no norm, He init", False, "he")]:
        stack, stream = init_(Stack(64, m, 10, L, norm=norm), scheme), []
        with torch.no_grad(), one_thread():
            stack(X, stream)
        q = np.array([x.square().mean().item() for x in stream])                             # (L + 1,)
        v = np.array([(b - a).square().mean().item() for a, b in zip(stream, stream[1:])])   # (L,)
        rows[name] = (np.sqrt(q), (q[0] + v.sum()) ** 0.5)
    return rows


def print_measurements():
    print(f"{'16 blocks':24} {'|dJ/dx_16|':>10} {'|dJ/dx_0|':>10} {'ratio':>9} {'per block':>9} {'eq. (7)':>8}")
    for name, (g, predicted) in grad_table().items():           # per block: the geometric mean of 16 factors
        print(f"{name:24} {g[-1]:10.2e} {g[0]:10.2e} {g[0] / g[-1]:9.2e} {(g[0] / g[-1]) ** (1 / 16):9.3f} "
              f"{predicted:8.3f}")
    print(f"\n{'48 blocks, RMS of x_l at':27} {'l=0':>7} {'l=12':>7} {'l=24':>7} {'l=48':>9} {'eq. (14)':>9}")
    for name, (rms, predicted) in stream_table().items():
        print(f"{name:27} {rms[0]:7.3f} {rms[12]:7.3f} {rms[24]:7.3f} {rms[48]:9.3g} {predicted:9.3g}")


def train(stack, data, steps=100, lr=1e-3, B=64, seed=1):
    """Adam on mini-batches of B training digits: the loss at every step, the held-out accuracy, the seconds."""
    X, y, X_test, y_test = data
    opt = torch.optim.Adam(stack.parameters(), lr=lr, foreach=True)
    batches, losses = torch.Generator().manual_seed(seed), []      # every stack sees the same batches
    start = time.perf_counter()
    for _ in range(steps):
        idx = torch.randint(0, len(X), (B,), generator=batches)
        J = F.cross_entropy(stack(X[idx]), y[idx])
        opt.zero_grad()
        J.backward()
        opt.step()
        losses.append(J.item())
    seconds = time.perf_counter() - start
    with torch.no_grad():
        return np.array(losses), (stack(X_test).argmax(dim=1) == y_test).float().mean().item(), seconds


RUNS = {"plain, default init": (16, 0.0, "default"), "plain, He init": (16, 0.0, "he"),   # (L, skip, init)
        "residual, default init": (16, 1.0, "default"), "plain, 2 blocks, He init": (2, 0.0, "he")}


@functools.lru_cache(maxsize=1)
def training_runs(steps=100):
    """Every stack of RUNS, width 32, trained the same way on 1 CPU thread."""
    data = digits()
    with one_thread():
        return {name: train(init_(Stack(64, 32, 10, L, skip=skip), scheme), data, steps)
                for name, (L, skip, scheme) in RUNS.items()}


def print_training():
    runs = training_runs()
    print(f"{'stack, width 32':26} {'loss 1':>7} {'last 10':>8} {'held-out':>9} {'wall':>7} {'per example':>11}")
    for name, (losses, acc, seconds) in runs.items():
        print(f"{name:26} {losses[0]:7.3f} {losses[-10:].mean():8.3f} {acc:9.3f} {seconds:6.2f}s "
              f"{seconds / (len(losses) * 64) * 1e3:8.3f} ms")
    print(f"Adam, lr 1e-3, {len(losses)} steps of 64 examples, the same batches for every stack, 1 CPU thread")
# --8<-- [end:measure]
# --8<-- [start:pitfalls]


class InPlaceBlock(ResidualMLP):
    def forward(self, x):                                      # the bug: it writes into the caller's tensor x,
        x += self.branch(x)                                    # which LayerNorm saved for the backward pass
        return x


def pitfalls():
    torch.manual_seed(0)
    x = torch.randn(4, 3)                                      # a stream of width d = 3
    try:
        x + nn.Linear(3, 5)(x)                                 # a branch that changes the width
    except RuntimeError as error:
        print("1. (4, 3) + (4, 5):", error)
    print("   no error: (4, 3) + (4, 1) ->", tuple((x + nn.Linear(3, 1)(x)).shape),     # (4,): one number per
          " (4,) + (4, 1) ->", tuple((torch.randn(4) + nn.Linear(1, 1)(torch.randn(4, 1))).shape))   # example
    block, x = init_(Stack(3, 8, 1, 1), "zero").blocks[0], torch.randn(1000, 8)   # a branch that outputs 0
    with torch.no_grad():
        print(f"2. a zero branch: x + F(x) == x everywhere: {bool((block(x) == x).all())};",
              f"relu(x + F(x)) == x at {(F.relu(block(x)) == x).float().mean():.1%} of the entries")
    try:
        InPlaceBlock(3, 8)(torch.randn(4, 3, requires_grad=True))
    except RuntimeError as error:
        print("3. x += F(x) on an input that requires grad:", error)
    try:
        InPlaceBlock(3, 8)(nn.Linear(3, 3)(torch.randn(4, 3))).sum().backward()    # x from an earlier layer
    except RuntimeError as error:
        print("   x += F(x) after a layer, at backward():", str(error).split(". Hint")[0])
    with torch.no_grad():
        x0 = torch.zeros(2, 3)
        InPlaceBlock(3, 8)(x0)
        print("   x += F(x) under no_grad, the caller's x0 changed:", bool(x0.abs().sum() > 0))
    X, y = torch.randn(256, 64), torch.randint(0, 10, (256,))
    for lam in (1.0, 0.5):                                     # x_{l+1} = lam x_l + F_l(x_l), 16 blocks
        g = stream_grad_norms(Stack(64, 32, 10, 16, skip=lam), X, y)
        print(f"4. shortcut lam = {lam}: |dJ/dx_0| / |dJ/dx_16| = {g[0] / g[-1]:.2e}",
              f"  (eq. (7): {(lam ** 2 + RHO['default']) ** 8:.2e})")
# --8<-- [end:pitfalls]
# --8<-- [start:ex_lengths]


def gradient_by_path_length(As, g):
    """Exercise 2: eq. (4)'s g_0 split by path length, row k: G_k <- G_k + A^T G_{k-1} (skip or take a branch)."""
    G = [g] + [np.zeros_like(g) for _ in As]                   # above the last block: only the empty path
    for A in reversed(As):
        G = [G[0]] + [G[k] + A.T @ G[k - 1] for k in range(1, len(G))]
    return np.array(G)                                         # (L + 1, m)
# --8<-- [end:ex_lengths]
# --8<-- [start:ex_zero]


def zero_init_grads(L=4):
    """Exercise 4: branches ending in zeros; ||dJ/dW|| of fc1, fc2 per block before and after one Adam step."""
    X, y = digits()[:2]
    stack = init_(Stack(64, 32, 10, L, norm=True), "zero")
    opt, out = torch.optim.Adam(stack.parameters(), lr=1e-3), []
    for _ in range(2):
        opt.zero_grad()
        F.cross_entropy(stack(X[:64]), y[:64]).backward()
        out.append([(b.fc1.weight.grad.norm().item(), b.fc2.weight.grad.norm().item()) for b in stack.blocks])
        opt.step()
    return np.array(out)                                       # (2 steps, L blocks, 2 layers)
# --8<-- [end:ex_zero]


def _plot(title, xlabel, ylabel, curves, yscale="log"):
    """A small line plot of curves (x, y, format, label or None, colour), legend on the right."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 3))
    for x, y, fmt, label, color in curves:
        ax.plot(x, y, fmt, ms=3, lw=1 if label is None else 1.5, label=label, color=color)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel, yscale=yscale)
    ax.legend(frameon=False, fontsize=8, loc="center left", bbox_to_anchor=(1.0, 0.5))
    return fig


def plot_grad_norms():
    """||dJ/dx_l|| / ||dJ/dx_16|| at every l of a 16-block stack, plain and residual, two inits; dashed: eq. (7)."""
    curves, l = [], np.arange(17)
    for i, (name, (g, predicted)) in enumerate(grad_table().items()):
        curves += [(l, g / g[-1], "osd^"[i] + "-", name, f"C{i}"), (l, predicted ** (16 - l), "--", None, f"C{i}")]
    return _plot("gradient at each layer at initialization (dashed: eq. (7))", "l", "|dJ/dx_l| / |dJ/dx_16|", curves)


def plot_training():
    """The mini-batch loss of the stacks of RUNS, averaged over windows of 10 steps (10 points a curve)."""
    return _plot("digits: Adam, lr 1e-3, the same batches for every stack", "training step",
                 "cross-entropy, mean of 10 steps", [(10 * np.arange(1, 11), losses.reshape(-1, 10).mean(axis=1),
                 "o-", name, f"C{i}") for i, (name, (losses, _, _)) in enumerate(training_runs().items())])


def plot_stream():
    """The RMS of the stream x_l through 48 pre-LN residual blocks, three ways of initializing the branches."""
    return _plot("the scale of the residual stream with depth", "block l", "RMS of x_l",
                 [(np.arange(0, 49, 2), rms[::2], "o-", name, f"C{i}") for i, (name, (rms, _))
                  in enumerate(stream_table().items()) if name.startswith("pre-LN")], yscale="linear")


def check(seed=0):
    """Max |from scratch - PyTorch| for the block's output and every gradient, float64, on the same numbers."""
    rng = np.random.default_rng(seed)
    print(f"{'residual_block vs ResidualMLP, float64':38} max |difference|")
    for label, d_out, norm in [("identity, LN", 3, True), ("identity, no LN", 3, False), ("projection, LN", 5, True)]:
        torch.manual_seed(seed)
        block, dy = ResidualMLP(3, 6, d_out, norm=norm).double(), rng.normal(size=(4, d_out))
        x = torch.tensor(rng.normal(size=(4, 3)), requires_grad=True)                  # (N, d)
        params = [block.fc1.weight, block.fc1.bias, block.fc2.weight, block.fc2.bias]
        params += [block.shortcut.weight] if d_out != 3 else []
        (block(x) * torch.from_numpy(dy)).sum().backward()                             # J = sum(dy * y)
        y, cache = residual_block(x.detach().numpy(), *[p.detach().numpy() for p in params[:4]],
                                  W_s=params[4].detach().numpy() if d_out != 3 else None, norm=norm)
        ours = residual_block_backward(dy, cache)                                      # x, W1, b1, W2, b2 (, W_s)
        for name, a, b in [("y", y, block(x).detach().numpy())] + [(f"d{k}", ours[k], t.grad.numpy())
                                                                    for k, t in zip(ours, [x] + params)]:
            print(f"{label + ': ' + name:38} {np.max(np.abs(a - b)):.1e}")


if __name__ == "__main__":
    args = sys.argv[1:]
    if "--check" in args:
        check()
    elif "--train" in args:
        print_training()
    elif "--measure" in args:
        # --8<-- [start:demo_measure]
        print_measurements()
        # --8<-- [end:demo_measure]
    elif "--pitfalls" in args:
        # --8<-- [start:demo_pitfalls]
        pitfalls()
        # --8<-- [end:demo_pitfalls]
    else:
        # --8<-- [start:demo]
        np.set_printoptions(precision=4, suppress=True)
        rng = np.random.default_rng(0)
        x = rng.normal(size=(2, 3))                                   # N = 2 examples, d = 3
        W1, b1, W2, b2 = rng.normal(size=(4, 3)), np.zeros(4), rng.normal(size=(3, 4)), np.zeros(3)  # h = 4
        y, cache = residual_block(x, W1, b1, W2, b2)                  # y = x + F(x): (N, d)
        dy = np.ones_like(y)                                          # the upstream gradient of J = sum(y)
        print("y = x + F(x):\n", y, "\ndJ/dx = dy + branch part:\n", residual_block_backward(dy, cache)["x"])
        y0, cache0 = residual_block(x, W1, b1, 0 * W2, b2)            # the branch switched off: W2 = 0
        print("W2 = 0: y equals x:", np.array_equal(y0, x),
              "  dJ/dx equals dy:", np.array_equal(residual_block_backward(dy, cache0)["x"], dy))
        # --8<-- [end:demo]
        # --8<-- [start:demo_torch]
        torch.manual_seed(0)
        block = ResidualMLP(d=3, h=4)                                 # identity shortcut, pre-LN branch
        x = torch.randn(2, 3, requires_grad=True)
        y = block(x)                                                  # (N, d) = (2, 3)
        y.sum().backward()
        print("\ny = x + F(x):\n", y.detach().numpy(), "\ndJ/dx:\n", x.grad.numpy())
        wider = ResidualMLP(d=3, h=4, d_out=5)                        # widths differ: a projection
        print("d_out = 5:", wider.shortcut, "->", tuple(wider(x).shape), "\n")
        # --8<-- [end:demo_torch]
        # --8<-- [start:demo_conv]
        x = torch.randn(2, 64, 16, 16)                                # (N, C, H, W)
        for Block, c_out, stride in [(BasicBlock, 64, 1), (BasicBlock, 128, 2), (PreActBlock, 128, 2)]:
            block = Block(64, c_out, stride)
            print(f"{Block.__name__}(64, {c_out}, stride={stride}): {tuple(x.shape)} -> {tuple(block(x).shape)},",
                  f"{sum(p.numel() for p in block.parameters())} parameters")
        # --8<-- [end:demo_conv]
