"""Normalization layers from scratch in NumPy: BatchNorm, LayerNorm, RMSNorm, GroupNorm (and InstanceNorm).

Each forward pass has a hand-derived backward pass; BatchNorm keeps running statistics exactly as PyTorch
does (momentum 0.1, unbiased running variance, biased variance for normalizing). All are checked against
nn.BatchNorm1d/2d, nn.LayerNorm, nn.RMSNorm and nn.GroupNorm in float64 and against finite differences.

Page: docs/training/normalization.md (topic 14). Papers: Ioffe & Szegedy (2015), "Batch normalization";
Ba, Kiros & Hinton (2016), "Layer normalization"; Ulyanov, Vedaldi & Lempitsky (2016), "Instance
normalization"; Wu & He (2018), "Group normalization"; Santurkar, Tsipras, Ilyas & Madry (2018), "How does
batch normalization help optimization?"; Zhang & Sennrich (2019), "Root mean square layer normalization".

    python code/training/normalization.py              # demo: BatchNorm in train and eval mode, LayerNorm
    python code/training/normalization.py --pitfalls   # forgotten eval(), batch of one, tiny batches, ...
    python code/training/normalization.py --check      # max |difference| against PyTorch, float64
"""
import sys  # only the command line below uses it

# --8<-- [start:imports]
import numpy as np


# --8<-- [end:imports]

# --8<-- [start:torch_imports]
import torch
import torch.nn.functional as F
from torch import nn


# --8<-- [end:torch_imports]


# --8<-- [start:validation]
def _real(x, name="x"):
    x = np.asarray(x)
    if x.dtype.kind not in "fiu":
        raise TypeError(f"{name} must hold real numbers (a float or integer dtype), got dtype {x.dtype}")
    return x.astype(np.float64)


def _check_channels(x, gamma, beta=None):
    """x of shape (N, C), (N, C, L) or (N, C, H, W) whose channel axis 1 matches gamma (and beta)."""
    x, gamma = _real(x), _real(gamma, "gamma")
    C = gamma.size
    if gamma.shape != (C,) or (beta is not None and np.shape(beta) != (C,)):
        raise ValueError(f"gamma and beta must have shape (C,), got {gamma.shape} and {np.shape(beta)}")
    if not 2 <= x.ndim <= 4 or x.shape[1] != C:
        raise ValueError(f"x must have shape (N, C), (N, C, L) or (N, C, H, W) with C = {C} channels "
                         f"(the length of gamma) on axis 1, got shape {x.shape}")
    return x


def _check_last(x, gamma, beta=None):
    """x whose last axes equal the normalized shape, which is gamma's shape (as in nn.LayerNorm)."""
    x, gamma = _real(x), _real(gamma, "gamma")
    if beta is not None and np.shape(beta) != gamma.shape:
        raise ValueError(f"beta must have gamma's shape {gamma.shape}, got {np.shape(beta)}")
    if x.ndim < gamma.ndim + 1 or x.shape[x.ndim - gamma.ndim:] != gamma.shape:
        raise ValueError(f"x must have shape (N, ..., *normalized_shape) with normalized_shape = gamma's "
                         f"shape {gamma.shape}, got shape {x.shape}")
    return x, tuple(range(x.ndim - gamma.ndim, x.ndim))         # the normalized axes: the last ones


def _per_channel(v, x):
    return np.reshape(v, (1, -1) + (1,) * (x.ndim - 2))         # (C,) -> (1, C, 1, 1): broadcasts on axis 1


def _bn_axes(x):
    return (0,) + tuple(range(2, x.ndim))                       # every axis but the channel axis 1


# --8<-- [end:validation]


# --8<-- [start:standardize]
def standardize(x, axes, eps):
    """x_hat = (x - mu) / sigma with mu, v the mean and BIASED variance over `axes`, eqs. (1)-(3)."""
    mu = x.mean(axis=axes, keepdims=True)
    v = x.var(axis=axes, keepdims=True)                         # divides by M, not M - 1
    sigma = np.sqrt(v + eps)                                    # eps keeps a constant group finite
    return (x - mu) / sigma, sigma


def standardize_backward(dx_hat, x_hat, sigma, axes):
    """dJ/dx from dJ/dx_hat, eq. (7): (M dx_hat - sum dx_hat - x_hat sum(dx_hat x_hat)) / (M sigma)."""
    M = np.prod([x_hat.shape[a] for a in axes])                 # how many numbers share one mu, sigma
    sum_d = dx_hat.sum(axis=axes, keepdims=True)                # path through the mean
    sum_dx = (dx_hat * x_hat).sum(axis=axes, keepdims=True)     # path through the standard deviation
    return (M * dx_hat - sum_d - x_hat * sum_dx) / (M * sigma)


# --8<-- [end:standardize]


# --8<-- [start:batchnorm]
def batchnorm_forward(x, gamma, beta, eps=1e-5):
    """Training-mode BatchNorm, eqs. (1)-(4): one mean and variance per channel, over N (and L or H, W)."""
    x = _check_channels(x, gamma, beta)                         # (N, C) or (N, C, H, W)
    x_hat, sigma = standardize(x, _bn_axes(x), eps)             # sigma: (1, C) or (1, C, 1, 1)
    y = _per_channel(gamma, x) * x_hat + _per_channel(beta, x)
    return y, (x_hat, sigma, np.asarray(gamma, dtype=np.float64))


def batchnorm_backward(dy, cache):
    """eqs. (5) and (8): dbeta = sum dy, dgamma = sum dy x_hat, and the compact form
    dx = gamma / (M sigma) * (M dy - dbeta - x_hat dgamma)."""
    x_hat, sigma, gamma = cache
    axes = _bn_axes(dy)
    M = dy.size // dy.shape[1]                                  # N, or N * H * W, numbers per channel
    dbeta = dy.sum(axis=axes)                                   # (C,)
    dgamma = (dy * x_hat).sum(axis=axes)                        # (C,)
    pc = lambda v: _per_channel(v, dy)                          # noqa: E731  (C,) -> broadcastable
    dx = pc(gamma) / (M * sigma) * (M * dy - pc(dbeta) - x_hat * pc(dgamma))
    return dx, dgamma, dbeta


# --8<-- [end:batchnorm]


# --8<-- [start:batchnorm_layer]
class BatchNorm:
    """nn.BatchNorm1d / nn.BatchNorm2d from scratch: batch statistics in training mode (and an update of
    the running statistics, eq. (9)), running statistics in eval mode (eq. (11))."""

    def __init__(self, C, eps=1e-5, momentum=0.1):
        self.gamma, self.beta = np.ones(C), np.zeros(C)                  # PyTorch's initial affine
        self.running_mean, self.running_var = np.zeros(C), np.ones(C)    # and initial statistics
        self.eps, self.momentum, self.training, self.num_batches_tracked = eps, momentum, True, 0

    def train(self, mode=True):
        self.training = mode
        return self

    def eval(self):
        return self.train(False)

    def __call__(self, x):
        x = _check_channels(x, self.gamma)
        pc = lambda v: _per_channel(v, x)                                # noqa: E731
        if not self.training:                                            # eq. (11): fixed statistics
            x_hat = (x - pc(self.running_mean)) / np.sqrt(pc(self.running_var) + self.eps)
            return pc(self.gamma) * x_hat + pc(self.beta)
        M = x.size // x.shape[1]
        if M < 2:                                                        # the variance of one number is 0
            raise ValueError(f"BatchNorm in training mode needs more than 1 value per channel (N*H*W > 1), "
                             f"got input shape {x.shape}; use eval mode, LayerNorm or GroupNorm")
        y, self.cache = batchnorm_forward(x, self.gamma, self.beta, self.eps)
        self.num_batches_tracked += 1
        # momentum=None in PyTorch: a plain average of all batches so far
        m = self.momentum if self.momentum is not None else 1.0 / self.num_batches_tracked
        mu, v = x.mean(axis=_bn_axes(x)), x.var(axis=_bn_axes(x))       # (C,) each, v biased
        self.running_mean = (1 - m) * self.running_mean + m * mu         # eq. (9)
        self.running_var = (1 - m) * self.running_var + m * v * M / (M - 1)   # unbiased, eq. (10)
        return y


# --8<-- [end:batchnorm_layer]


# --8<-- [start:layernorm]
def layernorm_forward(x, gamma, beta, eps=1e-5):
    """LayerNorm, eq. (12): every example (every token) normalized over its last axes, whose shape is
    gamma's shape (normalized_shape); gamma and beta are per feature, shared by all examples."""
    x, axes = _check_last(x, gamma, beta)                       # x (N, D) or (N, T, D); gamma (D,)
    x_hat, sigma = standardize(x, axes, eps)                    # sigma (N, 1) or (N, T, 1)
    return gamma * x_hat + beta, (x_hat, sigma, np.asarray(gamma, dtype=np.float64))


def layernorm_backward(dy, cache):
    """eq. (13): gamma varies along the normalized axes, so it enters the sums: dx_hat = gamma * dy."""
    x_hat, sigma, gamma = cache
    axes = tuple(range(dy.ndim - gamma.ndim, dy.ndim))          # the normalized (feature) axes
    batch = tuple(range(dy.ndim - gamma.ndim))                  # the axes gamma is shared over
    dx = standardize_backward(gamma * dy, x_hat, sigma, axes)
    return dx, (dy * x_hat).sum(axis=batch), dy.sum(axis=batch)


# --8<-- [end:layernorm]


# --8<-- [start:rmsnorm]
def rmsnorm_forward(x, gamma, eps=None):
    """RMSNorm, eq. (14): x / sqrt(mean(x^2) + eps) * gamma over the last axes; no mean, no beta.
    eps=None is nn.RMSNorm's default: the machine epsilon of the dtype (float64 here)."""
    x, axes = _check_last(x, gamma)
    eps = np.finfo(np.float64).eps if eps is None else eps
    r = np.sqrt((x ** 2).mean(axis=axes, keepdims=True) + eps)  # (N, 1): the root mean square
    x_hat = x / r
    return gamma * x_hat, (x_hat, r, np.asarray(gamma, dtype=np.float64))


def rmsnorm_backward(dy, cache):
    """eq. (15): dx = (g - x_hat mean(g x_hat)) / r with g = gamma * dy; no sum-of-g term (no mean)."""
    x_hat, r, gamma = cache
    axes = tuple(range(dy.ndim - gamma.ndim, dy.ndim))
    g = gamma * dy
    dx = (g - x_hat * (g * x_hat).mean(axis=axes, keepdims=True)) / r
    return dx, (dy * x_hat).sum(axis=tuple(range(dy.ndim - gamma.ndim)))


# --8<-- [end:rmsnorm]


# --8<-- [start:groupnorm]
def groupnorm_forward(x, G, gamma, beta, eps=1e-5):
    """GroupNorm, eq. (16): each example's C channels split into G groups of C/G; one mean and variance
    per (example, group), over its channels and positions; gamma and beta per channel."""
    x = _check_channels(x, gamma, beta)                         # (N, C) or (N, C, H, W)
    N, C = x.shape[:2]
    if G < 1 or C % G:
        raise ValueError(f"the number of channels C = {C} must be divisible by the number of groups "
                         f"G = {G} (G must divide C)")
    xg_hat, sigma = standardize(x.reshape(N, G, -1), (2,), eps)  # (N, G, C/G * H * W), sigma (N, G, 1)
    y = _per_channel(gamma, x) * xg_hat.reshape(x.shape) + _per_channel(beta, x)
    return y, (xg_hat, sigma, np.asarray(gamma, dtype=np.float64))


def groupnorm_backward(dy, cache):
    """eq. (7) on each group, with dx_hat = gamma * dy; gamma and beta sum over N and H, W as in BatchNorm."""
    xg_hat, sigma, gamma = cache
    x_hat = xg_hat.reshape(dy.shape)
    dx_hat = (_per_channel(gamma, dy) * dy).reshape(xg_hat.shape)
    dx = standardize_backward(dx_hat, xg_hat, sigma, (2,)).reshape(dy.shape)
    return dx, (dy * x_hat).sum(axis=_bn_axes(dy)), dy.sum(axis=_bn_axes(dy))


# --8<-- [end:groupnorm]


# --8<-- [start:example]
def example_batch():
    """N = 4 examples, C = 3 features on very different scales, as raw pre-activations can be."""
    return np.array([[1.0, 200.0, -0.03], [2.0, 180.0, 0.01],
                     [4.0, 260.0, 0.02], [5.0, 220.0, -0.04]])  # (N, C)


# --8<-- [end:example]


# --8<-- [start:ex_sums]
def batchnorm_grad_sums(dy, cache):
    """Exercise 1: per channel, sum_n dx_n (exactly 0) and sum_n dx_n x_hat_n (0 up to the eps term)."""
    dx, _, _ = batchnorm_backward(dy, cache)
    x_hat = cache[0]
    return dx.sum(axis=_bn_axes(dx)), (dx * x_hat).sum(axis=_bn_axes(dx))


# --8<-- [end:ex_sums]


# --8<-- [start:ex_scale]
def linear_bn_grad(X, W, dY, eps=0.0):
    """Exercise 2: Y = BN(X W^T) and dJ/dW for a bias-free linear layer followed by BatchNorm."""
    Z = X @ W.T                                                 # (N, C) pre-activations
    Y, cache = batchnorm_forward(Z, np.ones(W.shape[0]), np.zeros(W.shape[0]), eps)
    dZ, _, _ = batchnorm_backward(dY, cache)                    # (N, C)
    return Y, dZ.T @ X                                          # dW: (C, d), the shape of W


# --8<-- [end:ex_scale]


# --8<-- [start:ex_groups]
def instance_norm(x, eps=1e-5):
    """Exercise 3: InstanceNorm (no affine) is GroupNorm with one channel per group, G = C."""
    C = np.shape(x)[1]
    return groupnorm_forward(x, C, np.ones(C), np.zeros(C), eps)[0]


def layer_norm_all_channels(x, eps=1e-5):
    """Exercise 3: GroupNorm with G = 1 is LayerNorm over (C, H, W) (with gamma = 1, beta = 0)."""
    C = np.shape(x)[1]
    return groupnorm_forward(x, 1, np.ones(C), np.zeros(C), eps)[0]


# --8<-- [end:ex_groups]


# --8<-- [start:ex_fold]
def fold_batchnorm(W, b, gamma, beta, running_mean, running_var, eps=1e-5):
    """Exercise 4: Linear(W, b) then BatchNorm in eval mode is ONE linear layer (W', b'):
    W' = s W and b' = s (b - running_mean) + beta with s = gamma / sqrt(running_var + eps)."""
    s = gamma / np.sqrt(running_var + eps)                      # (C,): one scale per output unit
    return s[:, None] * W, s * (b - running_mean) + beta        # (C, d), (C,)


# --8<-- [end:ex_fold]


# --8<-- [start:pitfall_eval]
def same_example_two_batches(model, x0, batch_a, batch_b):
    """max |output for x0 in batch a - output for x0 in batch b|: 0 in eval mode, not in train mode."""
    with torch.no_grad():
        out_a = model(torch.cat([x0, batch_a]))[0]              # x0 is row 0 of both batches
        out_b = model(torch.cat([x0, batch_b]))[0]
    return (out_a - out_b).abs().max().item()


# --8<-- [end:pitfall_eval]


def plot_norm_axes():
    """The 'which axes' picture (after Wu & He, 2018): a block of activations with axes N, C and (H, W);
    the shaded cells share one mean and one standard deviation."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Polygon
    N, C, ox, oy = 4, 6, 0.6, 0.45                              # ox, oy: the oblique depth axis (H, W)
    rules = {"BatchNorm": lambda n, c: c == 0, "LayerNorm": lambda n, c: n == 0,
             "InstanceNorm": lambda n, c: n == 0 and c == 0, "GroupNorm (G = 2)": lambda n, c: n == 0 and c < 3}
    fig, axes = plt.subplots(1, 4, figsize=(7, 2.1))
    for ax, (title, on) in zip(axes, rules.items()):
        face = lambda shaded: "#5c6bc0" if shaded else "#f2f2f2"  # noqa: E731
        for n in range(N):
            for c in range(C):                                  # front face: row n = example, column c = channel
                ax.add_patch(Polygon([(c, N - 1 - n), (c + 1, N - 1 - n), (c + 1, N - n), (c, N - n)],
                                     fc=face(on(n, c)), ec="0.35", lw=0.5))
            ax.add_patch(Polygon([(C, N - 1 - n), (C + ox, N - 1 - n + oy), (C + ox, N - n + oy), (C, N - n)],
                                 fc=face(on(n, C - 1)), ec="0.35", lw=0.5))      # right face: all of H, W
        for c in range(C):                                      # top face: example 0 seen from above
            ax.add_patch(Polygon([(c, N), (c + 1, N), (c + 1 + ox, N + oy), (c + ox, N + oy)],
                                 fc=face(on(0, c)), ec="0.35", lw=0.5))
        ax.text(C / 2, -0.55, "C", ha="center", va="top"), ax.text(-0.3, N / 2, "N", ha="right", va="center")
        ax.text(C + ox + 0.1, N + oy / 2, "H, W", ha="left", va="center", fontsize=8)
        ax.set(xlim=(-1, C + 2.2), ylim=(-1.3, N + 1), aspect="equal")
        ax.set_title(title, fontsize=9)
        ax.axis("off")
    fig.tight_layout()
    return fig


def plot_batch_noise():
    """What training-mode BatchNorm outputs for the SAME example x0 = 1 in 300 random batches of size N."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    rng, Ns = np.random.default_rng(0), np.array([2, 3, 4, 8, 16, 32, 64, 128])
    bands = []
    for N in Ns:
        batch = np.concatenate([np.ones((300, 1)), rng.normal(size=(300, N - 1))], axis=1)  # (300, N)
        x_hat0 = standardize(batch, (1,), 1e-5)[0][:, 0]        # x0's normalized value in each batch
        bands.append(np.percentile(x_hat0, [10, 50, 90]))
    lo, mid, hi = np.array(bands).T
    fig, ax = plt.subplots(figsize=(7, 2.6))
    ax.fill_between(Ns, lo, hi, color="#c5cae9", label="train mode:\n10th to 90th\npercentile")
    ax.plot(Ns, mid, "o-", color="#3949ab", ms=4, label="train mode:\nmedian")
    ax.axhline(1.0, color="k", ls="--", lw=1, label="eval mode,\ntrue statistics")
    ax.set_xscale("log", base=2)
    ax.set_xticks(Ns, [str(N) for N in Ns])
    ax.set(xlabel="batch size N", ylabel="BatchNorm output for x0",
           title="one input x0 = 1, normalized inside 300 random batches of size N")
    ax.legend(frameon=False, fontsize=8, loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.tight_layout()
    return fig


def _fd(f, a, h=1e-6):
    """Central differences of the scalar f() with respect to every entry of the array a (changed in place)."""
    g = np.zeros_like(a)
    for i in np.ndindex(a.shape):
        old = a[i]
        a[i] = old + h
        up = f()
        a[i] = old - h
        g[i], a[i] = (up - f()) / (2 * h), old
    return g


def _torch_grads(module, x, dy):
    """Output and gradients (x, weight, bias) of a PyTorch module for the upstream gradient dy."""
    x = torch.tensor(x, requires_grad=True)
    y = module(x)
    (y * torch.from_numpy(dy)).sum().backward()
    bias = module.bias.grad.numpy() if getattr(module, "bias", None) is not None else None
    return y.detach().numpy(), x.grad.numpy(), module.weight.grad.numpy(), bias


def check_rows():
    """(name, from scratch, PyTorch, finite differences or None) for every quantity, float64."""
    rng = np.random.default_rng(0)
    rows = []
    for name, x, module, forward, backward, args in [
        ("BatchNorm1d", rng.normal(2, 3, (5, 3)), nn.BatchNorm1d(3), batchnorm_forward, batchnorm_backward, ()),
        ("BatchNorm2d", rng.normal(2, 3, (3, 4, 2, 2)), nn.BatchNorm2d(4), batchnorm_forward, batchnorm_backward, ()),
        ("LayerNorm", rng.normal(1, 2, (2, 3, 5)), nn.LayerNorm(5), layernorm_forward, layernorm_backward, ()),
        ("RMSNorm", rng.normal(1, 2, (2, 3, 5)), nn.RMSNorm(5), rmsnorm_forward, rmsnorm_backward, ()),
        ("GroupNorm", rng.normal(1, 2, (2, 6, 2, 2)), nn.GroupNorm(3, 6), groupnorm_forward, groupnorm_backward, (3,)),
    ]:
        module = module.double()
        params = [p for p in (module.weight, getattr(module, "bias", None)) if p is not None]
        with torch.no_grad():                                   # non-trivial gamma (and beta)
            for p, value in zip(params, [rng.uniform(0.5, 2, p.shape) for p in params]):
                p.copy_(torch.from_numpy(value))
        params = [p.detach().numpy().copy() for p in params]    # [gamma] or [gamma, beta]
        dy = rng.normal(size=x.shape)
        y, cache = forward(x, *args, *params)
        grads = backward(dy, cache)                             # dx, dgamma (, dbeta)
        theirs = _torch_grads(module, x, dy)
        loss = lambda: np.sum(dy * forward(x, *args, *params)[0])   # noqa: E731  J = sum(dy * y)
        rows.append((f"{name} y", y, theirs[0], None))
        for label, ours, torch_g, wrt in zip(["dx", "dgamma", "dbeta"], grads, theirs[1:], (x, *params)):
            rows.append((f"{name} {label}", ours, torch_g, _fd(loss, wrt)))
    return rows + _running_rows(rng)


def _running_rows(rng):
    """Running statistics after 3 training steps, and the eval-mode output that uses them."""
    rows = []
    for momentum, shape in [(0.1, (4, 3, 2, 2)), (None, (5, 3))]:
        ours = BatchNorm(3, momentum=momentum)
        theirs = (nn.BatchNorm2d if len(shape) == 4 else nn.BatchNorm1d)(3, momentum=momentum).double()
        for _ in range(3):
            x = rng.normal(1, 2, shape)
            ours(x), theirs(torch.from_numpy(x))
        ours.eval(), theirs.eval()
        tag = f"BatchNorm{'2d' if len(shape) == 4 else '1d'} momentum={momentum}"
        rows += [(f"{tag} running_mean", ours.running_mean, theirs.running_mean.numpy(), None),
                 (f"{tag} running_var", ours.running_var, theirs.running_var.numpy(), None),
                 (f"{tag} eval output", ours(x), theirs(torch.from_numpy(x)).detach().numpy(), None)]
    return rows


def check():
    """Print, for every from-scratch quantity, the max |difference| against PyTorch and finite differences."""
    print(f"{'from scratch vs PyTorch module, float64':40} {'vs PyTorch':>11} {'vs finite diff':>15}")
    for name, ours, theirs, fd in check_rows():
        fd_text = "" if fd is None else f"{np.max(np.abs(ours - fd)):15.1e}"
        print(f"{name:40} {np.max(np.abs(ours - theirs)):11.1e} {fd_text}")


if __name__ == "__main__":
    torch.manual_seed(0)
    if "--check" in sys.argv[1:]:
        check()
    elif "--pitfalls" in sys.argv[1:]:
        # --8<-- [start:demo_pitfalls]
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(3, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 1)).double()
        x0 = torch.randn(1, 3, dtype=torch.float64)                      # the example we care about
        batch_a = torch.randn(7, 3, dtype=torch.float64)                 # two different companions
        batch_b = 3 * torch.randn(7, 3, dtype=torch.float64) + 1
        print("1. same example, two batches, train mode: max |difference| =",
              f"{same_example_two_batches(model.train(), x0, batch_a, batch_b):.3f}")
        print("   same example, two batches, eval mode:  max |difference| =",
              f"{same_example_two_batches(model.eval(), x0, batch_a, batch_b):.3f}")
        try:
            model.train()(x0)                                            # a batch of one, in train mode
        except ValueError as error:
            print("2. batch of one in train mode:", error)
        bn = nn.BatchNorm1d(3).double()
        two = torch.tensor([[1.0, 500.0, -2.0], [1.1, -7.0, 40.0]], dtype=torch.float64)
        print("3. BatchNorm of a batch of two, any input:\n", bn(two).detach().numpy().round(4))
        X = torch.randn(6, 3, dtype=torch.float64)
        bn = nn.BatchNorm1d(3, momentum=1.0).double()                    # running stats = this batch's
        bn(X)
        print("4. running_var", bn.running_var.numpy().round(4), " biased var", X.var(0, correction=0).numpy().round(4),
              " unbiased var", X.var(0).numpy().round(4))
        lin, bn = nn.Linear(3, 4).double(), nn.BatchNorm1d(4).double()
        (bn(lin(X)) ** 3).sum().backward()                               # any loss
        print(f"5. bias before BatchNorm: max |dJ/db| = {lin.bias.grad.abs().max():.1e},",
              f"max |dJ/dW| = {lin.weight.grad.abs().max():.2f}")
        small = 0.01 * torch.randn(2, 8, dtype=torch.float64)            # activations of std 0.01
        gap = (F.layer_norm(small, (8,), eps=1e-5) - F.layer_norm(small, (8,), eps=1e-3)).abs().max()
        print(f"6. LayerNorm eps 1e-5 (PyTorch) vs 1e-3 (Keras) on small activations: max |difference| = {gap:.2f}")
        for make, x in [(lambda: nn.BatchNorm1d(3), torch.randn(5, 4)), (lambda: nn.GroupNorm(3, 4), None)]:
            try:
                make()(x)
            except (RuntimeError, ValueError) as error:
                print(f"7. {type(error).__name__}: {error}")
        # --8<-- [end:demo_pitfalls]
    else:
        # --8<-- [start:demo]
        np.set_printoptions(precision=4, suppress=True)      # 0.3, not 3.00e-01
        X = example_batch()                                  # (N, C) = (4, 3)
        bn = BatchNorm(3)                                    # gamma = 1, beta = 0, running (0, 1)
        Y = bn(X)                                            # train mode: this batch's mean and variance
        print("train mode, mean over N:", np.round(Y.mean(axis=0), 12) + 0.0)
        print("train mode, std over N: ", Y.std(axis=0).round(6))
        print("running_mean:", bn.running_mean.round(4), " running_var:", bn.running_var.round(4))
        bn.eval()                                            # eval mode: the running statistics
        print("eval mode, example 0:   ", bn(X[:1]).round(4))
        Y_ln, _ = layernorm_forward(X, np.ones(3), np.zeros(3))
        print("LayerNorm, mean over C: ", np.round(Y_ln.mean(axis=1), 12) + 0.0)
        # --8<-- [end:demo]
        print()
        # --8<-- [start:demo_torch]
        np.set_printoptions(precision=4, suppress=True)
        X = torch.from_numpy(example_batch())                # float64, (N, C) = (4, 3)
        bn = nn.BatchNorm1d(3, dtype=torch.float64)          # gamma = 1, beta = 0, running (0, 1)
        Y = bn(X)                                            # a new module is in train mode
        print("train mode, mean over N:", np.round(Y.mean(0).detach().numpy(), 12) + 0.0)
        print("train mode, std over N: ", Y.std(0, correction=0).detach().numpy().round(6))
        print("running_mean:", bn.running_mean.numpy().round(4), " running_var:", bn.running_var.numpy().round(4))
        bn.eval()
        print("eval mode, example 0:   ", bn(X[:1]).detach().numpy().round(4))
        Y_ln = nn.LayerNorm(3, dtype=torch.float64)(X)
        print("LayerNorm, mean over C: ", np.round(Y_ln.mean(1).detach().numpy(), 12) + 0.0)
        # --8<-- [end:demo_torch]
