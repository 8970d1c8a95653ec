"""Convolutional networks from scratch in NumPy: cross-correlation vs convolution, the output-size formula,
conv2d as one matrix multiply (im2col) with its hand-derived backward pass (col2im), max and average pooling,
the receptive field, and a small CNN trained on scikit-learn's 8x8 digits; all checked against PyTorch.

Page: docs/architectures/convolution.md (topic 20). Papers: LeCun, Bottou, Bengio & Haffner (1998), "Gradient-
based learning applied to document recognition"; Dumoulin & Visin (2016), "A guide to convolution arithmetic for
deep learning"; Chellapilla, Puri & Simard (2006), "High performance convolutional neural networks for document
processing" (im2col); Luo, Li, Urtasun & Zemel (2016), "Understanding the effective receptive field in deep CNNs".

    python code/architectures/convolution.py     # shapes, then the CNN and an MLP trained on the digits; also
        --check (against PyTorch, float64), --sizes (eq. (6) vs F.conv2d), --pitfalls
"""
import itertools
import sys
import warnings

# --8<-- [start:imports]
import numpy as np
# --8<-- [end:imports]
# --8<-- [start:torch_imports]
import torch
import torch.nn.functional as F
from torch import nn
# --8<-- [end:torch_imports]
# --8<-- [start:cnn_imports]
import time

from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset
# --8<-- [end:cnn_imports]
# --8<-- [start:validation]


def _real(x, name, ndim=None):
    x = np.asarray(x)
    if x.dtype.kind not in "fiu":
        raise TypeError(f"{name} must hold real numbers (a float or integer dtype), got dtype {x.dtype}")
    if ndim == 4 and x.ndim != 4:
        raise ValueError(f"{name} must have shape (N, C, H, W), channels first (NCHW), got shape {x.shape}")
    return x.astype(np.float64)


def _check_conv(X, K, b):
    X, K = _real(X, "X", ndim=4), _real(K, "K")
    if K.ndim != 4 or K.shape[1] != X.shape[1]:
        raise ValueError(f"K must have shape (C_out, C_in, k_h, k_w) with C_in = {X.shape[1]} (axis 1 of X), "
                         f"got shape {K.shape}")
    if b is not None and np.shape(b) != (K.shape[0],):
        raise ValueError(f"b must have shape (C_out,) = ({K.shape[0]},), got shape {np.shape(b)}")
    return X, K, np.zeros(K.shape[0]) if b is None else _real(b, "b")
# --8<-- [end:validation]
# --8<-- [start:output_size]


def conv_output_size(H, k, p=0, s=1, d=1):
    """H_out = floor((H + 2p - d(k - 1) - 1) / s) + 1, eq. (6); the same formula gives W_out from W."""
    for name, value, low in (("H", H, 1), ("k", k, 1), ("p", p, 0), ("s", s, 1), ("d", d, 1)):
        if not isinstance(value, (int, np.integer)) or value < low:
            raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    extent = d * (k - 1) + 1                                    # the dilated kernel's span, eq. (4)
    if extent > H + 2 * p:
        raise ValueError(f"kernel extent d(k-1)+1 = {extent} is larger than the padded input H+2p = {H + 2 * p}: "
                         f"no window fits (pad more, or use a smaller kernel or dilation)")
    return (H + 2 * p - extent) // s + 1                        # // is the floor of eq. (6)
# --8<-- [end:output_size]
# --8<-- [start:correlate]


def cross_correlate2d(x, k):
    """y[i, j] = sum_{u, v} x[i + u, j + v] k[u, v], eq. (1): slide k over x, NO flip, no padding."""
    x, k = _real(x, "x"), _real(k, "k")
    if x.ndim != 2 or k.ndim != 2:
        raise ValueError(f"x and k must be 2-D (one channel), got shapes {x.shape} and {k.shape}")
    (H, W), (k_h, k_w) = x.shape, k.shape
    H_out, W_out = conv_output_size(H, k_h), conv_output_size(W, k_w)   # eq. (6) with p = 0, s = d = 1
    y = np.zeros((H_out, W_out))
    for i in range(H_out):
        for j in range(W_out):
            y[i, j] = np.sum(x[i:i + k_h, j:j + k_w] * k)      # one dot product per output position
    return y


def convolve2d(x, k):
    """True convolution, eq. (2): the same sliding dot product with k flipped in both axes."""
    return cross_correlate2d(x, np.flip(k))                    # np.flip with no axis: k[::-1, ::-1]
# --8<-- [end:correlate]
# --8<-- [start:im2col]


def im2col(X, k_h, k_w, s=1, p=0, d=1):
    """cols (N, C k_h k_w, H_out W_out): column (i, j) holds the patch that output (i, j) sees, eq. (7)."""
    N, C, H, W = X.shape
    H_out, W_out = conv_output_size(H, k_h, p, s, d), conv_output_size(W, k_w, p, s, d)
    Xp = np.pad(X, ((0, 0), (0, 0), (p, p), (p, p)))           # zeros around the two spatial axes
    cols = np.empty((N, C, k_h, k_w, H_out, W_out))
    for u in range(k_h):                                        # one kernel offset (u, v) at a time:
        for v in range(k_w):                                    # the pixels it meets form a strided slice
            cols[:, :, u, v] = Xp[:, :, d * u:d * u + s * (H_out - 1) + 1:s, d * v:d * v + s * (W_out - 1) + 1:s]
    return cols.reshape(N, C * k_h * k_w, H_out * W_out)       # rows ordered (c, u, v) like K.reshape


def col2im(dcols, X_shape, k_h, k_w, s=1, p=0, d=1):
    """The adjoint of im2col, eq. (11): add every column entry back onto the pixel it was copied from."""
    N, C, H, W = X_shape
    H_out, W_out = conv_output_size(H, k_h, p, s, d), conv_output_size(W, k_w, p, s, d)
    dcols = dcols.reshape(N, C, k_h, k_w, H_out, W_out)
    dXp = np.zeros((N, C, H + 2 * p, W + 2 * p))
    for u in range(k_h):
        for v in range(k_w):                                    # += : a pixel in several windows sums them
            dXp[:, :, d * u:d * u + s * (H_out - 1) + 1:s, d * v:d * v + s * (W_out - 1) + 1:s] += dcols[:, :, u, v]
    return dXp[:, :, p:p + H, p:p + W]                          # padding zeros are constants: drop their part
# --8<-- [end:im2col]
# --8<-- [start:conv2d]


def conv2d_forward(X, K, b=None, stride=1, padding=0, dilation=1):
    """Y = K_mat @ cols + b, eqs. (5) and (8). X (N, C_in, H, W), K (C_out, C_in, k_h, k_w), b (C_out,)."""
    X, K, b = _check_conv(X, K, b)
    (N, _, H, W), (C_out, _, k_h, k_w) = X.shape, K.shape
    cols = im2col(X, k_h, k_w, stride, padding, dilation)      # (N, C_in k_h k_w, L), L = H_out W_out
    Y = K.reshape(C_out, -1) @ cols + b[:, None]                # (N, C_out, L): all positions in one matmul
    out = (N, C_out, conv_output_size(H, k_h, padding, stride, dilation),
           conv_output_size(W, k_w, padding, stride, dilation))
    return Y.reshape(out), (X.shape, K, cols, (stride, padding, dilation), out)


def conv2d_backward(G, cache):
    """From G = dL/dY (N, C_out, H_out, W_out) to (dX, dK, db), eqs. (9)-(11)."""
    X_shape, K, cols, (s, p, d), out = cache
    if np.shape(G) != out:
        raise ValueError(f"G = dL/dY must have the output's shape {out}, got {np.shape(G)}")
    G_mat = np.asarray(G, dtype=np.float64).reshape(out[0], out[1], -1)   # (N, C_out, L)
    db = G_mat.sum(axis=(0, 2))                                 # (C_out,), eq. (9)
    dK = np.einsum("nol,nml->om", G_mat, cols).reshape(K.shape)  # sum over n of G_n cols_n^T, eq. (10)
    dcols = K.reshape(K.shape[0], -1).T @ G_mat                 # (N, C_in k_h k_w, L), eq. (11)
    return col2im(dcols, X_shape, *K.shape[2:], s, p, d), dK, db
# --8<-- [end:conv2d]
# --8<-- [start:pooling]


def _pool_cols(X, k, s):
    """Every channel of every image on its own: (N C, k k, L) windows, the output shape, and s."""
    X, s = _real(X, "X", ndim=4), k if s is None else s                   # stride = kernel size unless told, as in PyTorch
    N, C, H, W = X.shape
    out = (N, C, conv_output_size(H, k, 0, s), conv_output_size(W, k, 0, s))
    return im2col(X.reshape(N * C, 1, H, W), k, k, s), out, s


def maxpool2d_forward(X, k, s=None):
    """Y[n, c, i, j] = max of the k x k window at (s i, s j), eq. (13)."""
    cols, out, s = _pool_cols(X, k, s)
    idx = cols.argmax(axis=1)                                   # (N C, L): where each window's max sits
    return np.take_along_axis(cols, idx[:, None], axis=1).reshape(out), (np.shape(X), idx, k, s)


def maxpool2d_backward(G, cache):
    """eq. (14): each window's whole gradient goes to its argmax; the other pixels get 0 from it."""
    (N, C, H, W), idx, k, s = cache
    dcols = np.zeros((N * C, k * k, idx.shape[1]))
    np.put_along_axis(dcols, idx[:, None], np.reshape(G, (N * C, 1, -1)), axis=1)
    return col2im(dcols, (N * C, 1, H, W), k, k, s).reshape(N, C, H, W)


def avgpool2d_forward(X, k, s=None):
    """Y = mean of each k x k window, eq. (15)."""
    cols, out, s = _pool_cols(X, k, s)
    return cols.mean(axis=1).reshape(out), (np.shape(X), k, s)


def avgpool2d_backward(G, cache):
    """eq. (16): each window spreads its gradient evenly, 1/k^2 to each of its pixels."""
    (N, C, H, W), k, s = cache
    dcols = np.repeat(np.reshape(G, (N * C, 1, -1)) / k**2, k * k, axis=1)
    return col2im(dcols, (N * C, 1, H, W), k, k, s).reshape(N, C, H, W)
# --8<-- [end:pooling]
# --8<-- [start:receptive_field]


def receptive_field(layers):
    """r = 1 + sum_l d_l (k_l - 1) (s_1 ... s_{l-1}), eq. (17). layers: (k, s, d) from the input up."""
    r, jump = 1, 1                                              # jump: input pixels between neighbours
    for k, s, d in layers:
        r += d * (k - 1) * jump                                 # this layer reaches d(k-1) more of them
        jump *= s
    return r


def measured_receptive_field(layers, H=None):
    """The same stack in PyTorch (weights 1, no padding): the input pixels with a nonzero gradient for one
    output unit. Returns (their extent in rows, |gradient| map). A pooling window counts as a conv."""
    model = nn.Sequential(*[nn.Conv2d(1, 1, k, stride=s, dilation=d, bias=False) for k, s, d in layers]).double()
    for conv in model:
        nn.init.ones_(conv.weight)                              # positive weights: no gradients cancel
    H = H or 2 * receptive_field(layers)                        # big enough for a few output units
    x = torch.zeros(1, 1, H, H, dtype=torch.float64, requires_grad=True)
    y = model(x)                                                # (1, 1, H_out, W_out)
    y[0, 0, y.shape[2] // 2, y.shape[3] // 2].backward()       # one unit, the middle one
    rows = torch.nonzero(x.grad[0, 0].abs().sum(dim=1))         # the rows it sees
    return int(rows.max() - rows.min() + 1), x.grad[0, 0].numpy()
# --8<-- [end:receptive_field]
# --8<-- [start:param_count]


def conv_param_count(C_in, C_out, k_h, k_w, bias=True):
    """C_out C_in k_h k_w weights + C_out biases, eq. (18): independent of the image size."""
    return C_out * C_in * k_h * k_w + (C_out if bias else 0)


def dense_param_count(C_in, H, W, C_out, H_out, W_out, bias=True):
    """A dense layer from the same input (C_in, H, W) to the same output (C_out, H_out, W_out), eq. (19)."""
    n_in, n_out = C_in * H * W, C_out * H_out * W_out
    return n_out * n_in + (n_out if bias else 0)
# --8<-- [end:param_count]
# --8<-- [start:cnn]
SEED, EPOCHS, BATCH_SIZE, LR = 0, 10, 32, 3e-3


def load_digit_images(seed=SEED):
    """The 1797 8x8 digits as (N, 1, 8, 8) float32 images (NCHW), split 75/25 like the first network."""
    X, y = load_digits(return_X_y=True)                         # (1797, 64) pixels 0..16, ships with sklearn
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=y, random_state=seed)
    mu, sigma = X_train.mean(), X_train.std()                   # ONE mean and std for all pixels: a stroke
    images = lambda A: torch.tensor((A - mu) / sigma, dtype=torch.float32).reshape(-1, 1, 8, 8)  # noqa: E731
    return images(X_train), images(X_test), torch.tensor(y_train), torch.tensor(y_test)   # looks alike anywhere


def make_cnn(seed=SEED):
    """conv 3x3 -> ReLU -> max pool 2 -> conv 3x3 -> ReLU -> max pool 2 -> flatten -> linear (LeNet-style)."""
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Conv2d(1, 16, kernel_size=3, padding=1), nn.ReLU(),   # (N, 16, 8, 8): padding 1 keeps 8x8
        nn.MaxPool2d(2),                                         # (N, 16, 4, 4)
        nn.Conv2d(16, 32, kernel_size=3, padding=1), nn.ReLU(),  # (N, 32, 4, 4)
        nn.MaxPool2d(2),                                         # (N, 32, 2, 2)
        nn.Flatten(),                                            # (N, 128) = 32 * 2 * 2, eq. (6) twice
        nn.Linear(32 * 2 * 2, 10))                               # (N, 10) logits


def make_mlp(seed=SEED):
    """The first network's MLP, 64 -> 64 (ReLU) -> 10, for comparison."""
    torch.manual_seed(seed)
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))


def train(model, data, epochs=EPOCHS, lr=LR, B=BATCH_SIZE, seed=SEED):
    """Adam on shuffled mini-batches, on ONE CPU thread. Returns (test accuracy per epoch, seconds)."""
    X_train, X_test, y_train, y_test = data
    loader = DataLoader(TensorDataset(X_train, y_train), batch_size=B, shuffle=True,
                        generator=torch.Generator().manual_seed(seed))
    optimizer, threads = torch.optim.Adam(model.parameters(), lr=lr), torch.get_num_threads()
    torch.set_num_threads(1)                                    # a model this small gains nothing from more
    start, accs = time.perf_counter(), []
    for epoch in range(epochs):
        model.train()
        for X_b, y_b in loader:                                 # (B, 1, 8, 8), (B,)
            optimizer.zero_grad()
            F.cross_entropy(model(X_b), y_b).backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():                                   # test accuracy after each epoch
            accs.append((model(X_test).argmax(dim=1) == y_test).double().mean().item())
    torch.set_num_threads(threads)
    return accs, time.perf_counter() - start
# --8<-- [end:cnn]
# --8<-- [start:ex_same]


def same_padding(k, d=1):
    """Exercise 1: the padding p that keeps H_out = H at stride 1: 2p = d(k - 1), when that is even."""
    if d * (k - 1) % 2:
        raise ValueError(f"d(k-1) = {d * (k - 1)} is odd: no symmetric padding keeps the size (see 'same')")
    return d * (k - 1) // 2
# --8<-- [end:ex_same]
# --8<-- [start:ex_backward_convs]


def conv2d_backward_as_convs(X, K, G, p=0):
    """Exercise 2 (stride 1, dilation 1, square kernel): the backward pass is two more convolutions.
    dX = full correlation of G with the flipped kernel (channels swapped), dK = correlation of X with G."""
    k = K.shape[2]
    if K.shape[3] != k or p > k - 1:
        raise ValueError(f"need a square kernel and padding p <= k - 1, got K shape {K.shape} and p = {p}")
    K_flipped = np.flip(K, axis=(2, 3)).transpose(1, 0, 2, 3)   # (C_in, C_out, k, k), eq. (12)
    dX = conv2d_forward(G, K_flipped, padding=k - 1 - p)[0]     # pad G by k-1, minus the p cut off X
    dK = conv2d_forward(X.transpose(1, 0, 2, 3), G.transpose(1, 0, 2, 3), padding=p)[0]   # (C_in, C_out, k, k)
    return dX, dK.transpose(1, 0, 2, 3), G.sum(axis=(0, 2, 3))
# --8<-- [end:ex_backward_convs]
# --8<-- [start:ex_one_by_one]


def conv1x1(X, K, b):
    """Exercise 3: a 1x1 convolution is the same dense layer (C_in -> C_out) applied at every pixel."""
    return np.einsum("oc,nchw->nohw", K[:, :, 0, 0], X) + b[None, :, None, None]
# --8<-- [end:ex_one_by_one]


def plot_feature_maps():
    """A digit, two 3x3 edge kernels, and the feature map each produces (cross-correlation, padding 1)."""
    digit = load_digits().images[0]                             # (8, 8), a zero
    k_A = np.array([[-1.0, 0.0, 1.0]] * 3)                      # > 0 where ink increases left to right
    panels = [("input digit", digit), ("kernel A", k_A), ("feature map A", cross_correlate2d(np.pad(digit, 1), k_A)),
              ("kernel B = Aᵀ", k_A.T), ("feature map B", cross_correlate2d(np.pad(digit, 1), k_A.T))]
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 5, figsize=(7, 1.9))
    for ax, (title, image) in zip(axes, panels):
        lim = np.abs(image).max()
        ax.imshow(image, cmap="gray_r" if ax is axes[0] else "RdBu_r", vmin=0 if ax is axes[0] else -lim, vmax=lim)
        ax.set_title(title, fontsize=9)
        ax.set(xticks=[], yticks=[])
    return fig


STACKS = {"three 3×3 convs": [(3, 1, 1)] * 3, "3×3 stride 2, two 3×3": [(3, 2, 1), (3, 1, 1), (3, 1, 1)],
          "3×3, dilation 1, 2, 4": [(3, 1, 1), (3, 1, 2), (3, 1, 4)],     # (k, s, d) per layer, input first
          "the digits CNN": [(3, 1, 1), (2, 2, 1), (3, 1, 1), (2, 2, 1)]}  # conv, pool, conv, pool


def plot_receptive_field():
    """|gradient| of one output unit with respect to the input, for each stack of STACKS."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 4, figsize=(7, 2.3))
    for ax, (title, layers) in zip(axes, STACKS.items()):
        extent, grad = measured_receptive_field(layers, H=30)   # one input size: the pictures compare
        ax.imshow(grad, cmap="Blues")
        ax.set_title(f"{title}\nr = {receptive_field(layers)}, measured {extent}", fontsize=8)
        ax.set(xticks=[], yticks=[])
    return fig


def attempt(call):
    """call(), or "ErrorName: message" when it raises: results and refusals side by side."""
    try:
        return call()
    except (RuntimeError, ValueError) as error:
        return f"{type(error).__name__}: {error}"


def both_sizes(H, k, p, s, d):
    """(H_out by eq. (6), H_out of F.conv2d), or the error each raises."""
    return (attempt(lambda: conv_output_size(H, k, p, s, d)), attempt(lambda: F.conv2d(
        torch.zeros(1, 1, H, H), torch.zeros(1, 1, k, k), padding=p, stride=s, dilation=d).shape[2]))


def size_sweep():
    """(settings, mismatches) of eq. (6) vs F.conv2d, H <= 9, k <= 4, p <= 2, s, d <= 3; both raising agree."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)                                    # 972 tiny calls: a second thread only waits
    grid = list(itertools.product(range(1, 10), range(1, 5), range(3), range(1, 4), range(1, 4)))
    bad = sum(ours != theirs and not (isinstance(ours, str) and isinstance(theirs, str))
              for ours, theirs in itertools.starmap(both_sizes, grid))
    torch.set_num_threads(threads)
    return len(grid), bad


def check():
    """Print the max |from scratch - PyTorch| in float64 for every function of the page."""
    rng = np.random.default_rng(0)
    t = lambda a: torch.tensor(a, requires_grad=True)           # noqa: E731  a float64 leaf
    x, k = rng.normal(size=(6, 7)), rng.normal(size=(3, 2))     # one channel, a non-square kernel
    image = lambda a: t(a)[None, None]                          # noqa: E731  (H, W) -> (1, 1, H, W)
    rows = [("cross_correlate2d vs F.conv2d", cross_correlate2d(x, k), F.conv2d(image(x), image(k))),
            ("convolve2d vs F.conv2d, kernel flipped", convolve2d(x, k), F.conv2d(image(x), image(np.flip(k).copy())))]
    X, K, b = rng.normal(size=(2, 3, 9, 8)), rng.normal(size=(4, 3, 3, 2)), rng.normal(size=4)
    X_t, K_t, b_t = t(X), t(K), t(b)
    Y, cache = conv2d_forward(X, K, b, stride=2, padding=1, dilation=2)
    Y_t, G = F.conv2d(X_t, K_t, b_t, stride=2, padding=1, dilation=2), rng.normal(size=Y.shape)
    (Y_t * torch.from_numpy(G)).sum().backward()               # L = sum(G * Y), so dL/dY = G
    rows += [("conv2d_forward (im2col) vs F.conv2d", Y, Y_t)]
    rows += [(f"conv2d_backward {n} vs autograd", ours, leaf.grad)
             for n, ours, leaf in zip(("dX", "dK", "db"), conv2d_backward(G, cache), (X_t, K_t, b_t))]
    for fwd, bwd, pool in ((maxpool2d_forward, maxpool2d_backward, F.max_pool2d),
                           (avgpool2d_forward, avgpool2d_backward, F.avg_pool2d)):
        X_t = t(X)
        (Y, cache), Y_t = fwd(X, 3, 2), pool(X_t, 3, 2)        # k = 3, s = 2: overlapping windows
        G = rng.normal(size=Y.shape)
        (Y_t * torch.from_numpy(G)).sum().backward()
        rows += [(f"{fwd.__name__} vs F.{pool.__name__}", Y, Y_t),
                 (f"{bwd.__name__} vs autograd", bwd(G, cache), X_t.grad)]
    print(f"{'from scratch vs PyTorch, float64':40} max |difference|")
    for name, ours, theirs in rows:
        print(f"{name:40} {np.abs(ours - theirs.detach().numpy()).max():.1e}")
    print("output-size formula vs F.conv2d shapes: {} settings, {} mismatches".format(*size_sweep()))
    for name, layers in STACKS.items():
        print(f"receptive field, {name}: formula {receptive_field(layers)}, measured {measured_receptive_field(layers)[0]}")


def sizes():
    """A few settings of eq. (6) next to the shape F.conv2d returns, bad ones included, then both errors."""
    print(" H  k  p  s  d   extent  H_out by eq. (6)      F.conv2d")
    for H, k, p, s, d in [(8, 3, 0, 1, 1), (8, 3, 1, 1, 1), (8, 3, 1, 2, 1), (7, 3, 1, 2, 1), (8, 4, 1, 2, 1),
                          (8, 3, 2, 1, 2), (28, 5, 2, 2, 1), (5, 4, 2, 1, 1), (4, 5, 0, 1, 1), (4, 3, 0, 1, 2)]:
        ours, theirs = both_sizes(H, k, p, s, d)
        print(f"{H:2d} {k:2d} {p:2d} {s:2d} {d:2d}   {d * (k - 1) + 1:6d}  {str(ours).split(':')[0]:>16}  "
              f"{str(theirs).split(':')[0]:>12}")
    print(f"\nours    {ours}\nPyTorch {theirs}")                  # the two errors of the last setting


def pitfalls():
    """Each mistake, made on purpose, and what it produces."""
    X_nhwc, X8, x, k = torch.zeros(2, 8, 8, 3), torch.zeros(1, 1, 8, 8), np.array([1.0, 2, 3, 4]), np.array([1.0, 0, -1])
    wrong = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(16 * 8 * 8, 10))
    attempts = [("1. NHWC into nn.Conv2d(3, 16, 3)", lambda: nn.Conv2d(3, 16, 3)(X_nhwc)),
                ("   after .permute(0, 3, 1, 2)", lambda: nn.Conv2d(3, 16, 3)(X_nhwc.permute(0, 3, 1, 2)).shape),
                ("2. np.convolve(x, k, 'valid')", lambda: np.convolve(x, k, "valid")),
                ("   np.correlate(x, k, 'valid')", lambda: np.correlate(x, k, "valid")),
                ("   F.conv1d(x, k)", lambda: F.conv1d(torch.tensor(x)[None, None], torch.tensor(k)[None, None])[0, 0]),
                ("3. k = 4, padding = k // 2 on 8x8", lambda: nn.Conv2d(1, 1, 4, padding=2)(X8).shape),
                ("   k = 4, padding='same'", lambda: nn.Conv2d(1, 1, 4, padding="same")(X8).shape),
                ("   k = 3, padding='same', stride 2", lambda: nn.Conv2d(1, 1, 3, stride=2, padding="same")),
                ("4. Linear(16 * 8 * 8, 10) after a pool", lambda: wrong(torch.zeros(2, 1, 8, 8))),
                ("   nn.LazyLinear(10) instead", lambda: nn.Sequential(*wrong[:3], nn.LazyLinear(10))(X8).shape)]
    attempts += [(f"{'5.' if n == 1 else '  '} {n} x MaxPool2d(2) on 8x8", lambda n=n: nn.Sequential(*[nn.MaxPool2d(2)] * n)(X8).shape)
                 for n in (1, 2, 3, 4)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")                         # 'same' with k = 4 warns of an extra copy
        for name, call in attempts:
            print(f"{name:38} {attempt(call)}")


if __name__ == "__main__":
    mode = {"--check": check, "--sizes": sizes, "--pitfalls": pitfalls}.get(sys.argv[-1])
    if mode:
        mode()
    else:
        # --8<-- [start:demo]
        data = load_digit_images()
        cnn, x = make_cnn(), data[0][:1]                        # one training image, (1, 1, 8, 8)
        print(f"{'layer':10} {'output shape':>14} {'parameters':>10}")
        for layer in cnn:                                       # eq. (6), layer by layer
            x = layer(x)
            print(f"{type(layer).__name__:10} {str(tuple(x.shape)):>14} {sum(p.numel() for p in layer.parameters()):10,}")
        print(f"\nconv 1: {conv_param_count(1, 16, 3, 3):,} parameters; a dense layer from the same (1, 8, 8) "
              f"input to the same (16, 8, 8) output: {dense_param_count(1, 8, 8, 16, 8, 8):,}")
        print(f"64 filters of 3x3 on a 224x224 RGB image: conv {conv_param_count(3, 64, 3, 3):,}, "
              f"dense {dense_param_count(3, 224, 224, 64, 224, 224):.2e} parameters\n")
        # --8<-- [end:demo]
        # --8<-- [start:demo_train]
        for name, model in (("CNN", cnn), ("MLP 64-64-10", make_mlp())):
            accs, seconds = train(model, data)                  # Adam, batches of 32, 1 CPU thread
            print(f"{name}: {sum(p.numel() for p in model.parameters()):,} parameters; test accuracy by epoch "
                  f"{' '.join(f'{a:.3f}' for a in accs)}")
            print(f"{name}: test accuracy {accs[-1]:.2%} after {EPOCHS} epochs; {seconds:.2f} s wall time, "
                  f"{1000 * seconds / (EPOCHS * len(data[0])):.3f} ms per training example (1 CPU thread)\n")
        # --8<-- [end:demo_train]
