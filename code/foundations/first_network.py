"""Your first network, end to end: one MLP on handwritten digits, in NumPy and in PyTorch.

Page: docs/foundations/first-network.md (topic 10). A 64 -> 64 (ReLU) -> 10 MLP with softmax cross-entropy,
trained by mini-batch SGD on scikit-learn's bundled 8x8 digits (load_digits, no download): by hand in NumPy
(backpropagation in matrix form, Rumelhart, Hinton & Williams 1986), and with nn.Sequential,
nn.CrossEntropyLoss, torch.optim.SGD and a DataLoader. From the same weights and batches in float64, the two
end with the same parameters. Data: Alpaydin & Kaynak (1998), UCI "Optical Recognition of Handwritten
Digits". Initialization: He et al. (2015), "Delving deep into rectifiers". SGD: Robbins & Monro (1951).

    python code/foundations/first_network.py     # train both; also --check (NumPy vs PyTorch, float64),
        --steps (three SGD steps in each), --pitfalls (mistakes, symptoms), --exercise 1 (to 4)
"""
import contextlib
import functools
import itertools
import sys

# --8<-- [start:imports]
import time

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
# --8<-- [end:imports]
# --8<-- [start:torch_imports]
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
# --8<-- [end:torch_imports]
# --8<-- [start:config]
SIZES = (64, 64, 10)       # (d, m, C): 8x8 = 64 pixels in, 64 hidden ReLU units, 10 classes out
LR, BATCH_SIZE, EPOCHS, SEED = 0.1, 32, 20, 0   # learning rate eta, batch size B, passes, seed
# --8<-- [end:config]
# --8<-- [start:validation]


def check_data(X, y=None, d=SIZES[0], C=SIZES[-1]):
    """Images X (N, d) as float64 and labels y (N,) as int64 in [0, C); anything else is a clear error."""
    X = np.asarray(X)
    if X.dtype.kind not in "iuf":
        raise TypeError(f"X must hold pixel values (a float or integer dtype), got dtype {X.dtype}")
    if X.ndim != 2 or X.shape[1] != d or len(X) == 0:
        hint = "; flatten 8x8 images with X.reshape(len(X), -1)" if X.ndim == 3 else ""
        raise ValueError(f"X must have shape (N, {d}) with N >= 1, one image per row, got {X.shape}{hint}")
    if not np.isfinite(X).all():
        raise ValueError("X must be finite, got NaN or inf")
    if y is None:
        return X.astype(np.float64), None
    y = np.asarray(y)
    if y.dtype.kind not in "iu":
        raise TypeError(f"labels y must be integer class indices (e.g. int64), got dtype {y.dtype}")
    if y.shape != (len(X),):
        raise ValueError(f"labels y must have shape (N,) = ({len(X)},), got {y.shape}")
    bad = y[(y < 0) | (y >= C)]
    if bad.size:
        raise ValueError(f"labels y must be integer class indices in [0, C) = [0, {C}), got {bad[0]}")
    return X.astype(np.float64), y.astype(np.int64)
# --8<-- [end:validation]
# --8<-- [start:data]


def load_split(test_size=0.25, seed=SEED):
    """X (1797, 64) with pixels 0..16 and y (1797,), split 75/25 keeping each digit's share (stratify)."""
    X, y = load_digits(return_X_y=True)           # ships with scikit-learn: no download
    return train_test_split(X, y, test_size=test_size, stratify=y, random_state=seed)


def fit_scaler(X_train):
    """Per-pixel mean mu and standard deviation sigma, eq. (1), from the TRAINING images only."""
    X_train, _ = check_data(X_train)
    mu, sigma = X_train.mean(axis=0), X_train.std(axis=0)         # (d,), (d,)
    return mu, np.where(sigma > 0, sigma, 1.0)     # a pixel that is always 0 has sigma = 0: keep x - mu


def standardize(X, mu, sigma):
    """x_tilde = (x - mu) / sigma, eq. (1), with the training statistics, for any set of images."""
    X, _ = check_data(X)
    return (X - mu) / sigma                        # (N, d): mu and sigma broadcast over the rows


def prepare_data(seed=SEED):
    """Load, split, scale: ((X_train, X_test, y_train, y_test), (mu, sigma))."""
    X_train, X_test, y_train, y_test = load_split(seed=seed)
    mu, sigma = fit_scaler(X_train)                # X_test is not looked at: no leakage
    return (standardize(X_train, mu, sigma), standardize(X_test, mu, sigma), y_train, y_test), (mu, sigma)
# --8<-- [end:data]
# --8<-- [start:init]


def init_params(rng, sizes=SIZES):
    """He initialization, eq. (2): W ~ N(0, 2 / fan_in), b = 0. Random W make the hidden units differ."""
    d, m, C = sizes
    return {"W1": rng.normal(0.0, np.sqrt(2.0 / d), (m, d)), "b1": np.zeros(m),   # (m, d), (m,)
            "W2": rng.normal(0.0, np.sqrt(2.0 / m), (C, m)), "b2": np.zeros(C)}   # (C, m), (C,)
# --8<-- [end:init]
# --8<-- [start:forward]


def log_softmax(Z):
    """log softmax row by row; subtracting the row max first keeps every exp(.) <= 1 (no overflow)."""
    Z = Z - Z.max(axis=1, keepdims=True)                          # (N, C)
    return Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))


def forward(params, X):
    """Z1 = X W1^T + b1, A1 = relu(Z1), Z2 = A1 W2^T + b2: eqs. (3)-(4). Returns all three."""
    Z1 = X @ params["W1"].T + params["b1"]         # (N, m)
    A1 = np.maximum(Z1, 0.0)                       # (N, m) ReLU
    Z2 = A1 @ params["W2"].T + params["b2"]        # (N, C) logits: no softmax here, it is in the loss
    return Z1, A1, Z2


def cross_entropy(Z2, y):
    """The cost J = -(1/N) sum_n log softmax(Z2)[n, y_n], eq. (5)."""
    return -log_softmax(Z2)[np.arange(len(y)), y].mean()
# --8<-- [end:forward]
# --8<-- [start:backward]


def backward(params, X, y, Z1, A1, Z2):
    """dJ/dtheta for theta = W1, b1, W2, b2: eqs. (6)-(10), from the loss back to the input."""
    N = len(X)
    dZ2 = np.exp(log_softmax(Z2))                  # (N, C) P = softmax(Z2)
    dZ2[np.arange(N), y] -= 1.0                    # P - T, without building the one-hot T
    dZ2 /= N                                       # eq. (6): J is a mean over the batch
    dW2, db2 = dZ2.T @ A1, dZ2.sum(axis=0)         # (C, m), (C,)   eq. (7)
    dA1 = dZ2 @ params["W2"]                       # (N, m)         eq. (8)
    dZ1 = dA1 * (Z1 > 0)                           # (N, m)         eq. (9): ReLU passes or blocks
    dW1, db1 = dZ1.T @ X, dZ1.sum(axis=0)          # (m, d), (m,)   eq. (10)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


def loss_and_grads(params, X, y):
    """Forward, loss, backward on one batch: (J, gradients), each gradient shaped like its parameter."""
    X, y = check_data(X, y, d=params["W1"].shape[1], C=params["W2"].shape[0])
    Z1, A1, Z2 = forward(params, X)
    return cross_entropy(Z2, y), backward(params, X, y, Z1, A1, Z2)
# --8<-- [end:backward]
# --8<-- [start:sgd]


def minibatches(N, B, rng):
    """One epoch: a fresh random order of the N examples cut into batches of B (the last may be smaller)."""
    order = rng.permutation(N)
    return [order[i:i + B] for i in range(0, N, B)]


def sgd_step(params, X_b, y_b, lr):
    """One step of mini-batch SGD, eq. (11): theta <- theta - eta dJ_B/dtheta, in place. Returns J_B."""
    J, grads = loss_and_grads(params, X_b, y_b)
    for name in params:
        params[name] -= lr * grads[name]
    return J
# --8<-- [end:sgd]
# --8<-- [start:evaluate]


def predict(params, X):
    """The predicted digit of each image: the index of the largest logit, eq. (12)."""
    X, _ = check_data(X, d=params["W1"].shape[1])
    return forward(params, X)[2].argmax(axis=1)    # (N,); softmax would not change the argmax


def evaluate(params, X, y):
    """(cost J, accuracy) on a whole set, eqs. (5) and (12); changes nothing."""
    X, y = check_data(X, y, d=params["W1"].shape[1], C=params["W2"].shape[0])
    Z2 = forward(params, X)[2]
    return cross_entropy(Z2, y), float(np.mean(Z2.argmax(axis=1) == y))   # the fraction right
# --8<-- [end:evaluate]
# --8<-- [start:train]


def train_numpy(data, epochs=EPOCHS, lr=LR, B=BATCH_SIZE, seed=SEED, params=None):
    """Mini-batch SGD. history[e] = (train J, train acc, test J, test acc) after e epochs (row 0: before)."""
    X_train, X_test, y_train, y_test = data
    rng = np.random.default_rng(seed)
    params = init_params(rng) if params is None else params
    history = [evaluate(params, X_train, y_train) + evaluate(params, X_test, y_test)]
    for epoch in range(epochs):
        for idx in minibatches(len(X_train), B, rng):           # idx: (B,) indices of one batch
            sgd_step(params, X_train[idx], y_train[idx], lr)    # forward, loss, backward, update
        history.append(evaluate(params, X_train, y_train) + evaluate(params, X_test, y_test))
    return params, np.array(history)                            # history: (epochs + 1, 4)
# --8<-- [end:train]
# --8<-- [start:report]


def print_history(name, history, seconds):
    """A few rows of the history table, then the final test accuracy."""
    print(f"{name}: epoch  train J  train acc  test J  test acc")
    for e in sorted({0, 1, 2, 3, 5, *range(0, len(history), 5), len(history) - 1}):
        J_train, acc_train, J_test, acc_test = history[e]
        print(f"{'':{len(name)}}  {e:5d}  {J_train:7.4f}  {acc_train:9.4f}  {J_test:6.4f}  {acc_test:8.4f}")
    print(f"{name}: test accuracy {history[-1, 3]:.2%} after {len(history) - 1} epochs ({seconds:.1f} s)\n")
# --8<-- [end:report]
# --8<-- [start:torch_model]


def make_model(seed=SEED, sizes=SIZES):
    """nn.Sequential(Linear(64, 64), ReLU(), Linear(64, 10)), He-initialized like init_params."""
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(*sizes[:2]), nn.ReLU(), nn.Linear(*sizes[1:]))   # logits: no softmax
    for layer in (model[0], model[2]):
        nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")      # N(0, 2 / fan_in), eq. (2)
        nn.init.zeros_(layer.bias)
    return model


def train_step(model, loss_fn, optimizer, X_b, y_b):
    """The four lines of every PyTorch training loop: clear, forward + loss, backward, update."""
    optimizer.zero_grad()                          # .grad accumulates: clear the last step's
    loss = loss_fn(model(X_b), y_b)                # forward pass and eq. (5)
    loss.backward()                                # eqs. (6)-(10), by autograd
    optimizer.step()                               # eq. (11)
    return loss.item()


def evaluate_torch(model, X, y):
    """(cost J, accuracy) without training: eval mode, and no graph recorded."""
    model.eval()                                   # switches dropout / batch norm (none here) to eval
    with torch.no_grad():                          # no autograd bookkeeping: faster, less memory
        Z2 = model(X)                              # (N, C) logits
        J, acc = nn.functional.cross_entropy(Z2, y).item(), (Z2.argmax(dim=1) == y).double().mean().item()
    model.train()
    return J, acc
# --8<-- [end:torch_model]
# --8<-- [start:torch_train]


def train_torch(data, epochs=EPOCHS, lr=LR, B=BATCH_SIZE, seed=SEED, step=train_step):
    """The same training in PyTorch, float32. history rows as in train_numpy."""
    check_data(data[0], data[2]), check_data(data[1], data[3])
    X_train, X_test = (torch.as_tensor(X, dtype=torch.float32) for X in data[:2])   # (N, d) float32
    y_train, y_test = (torch.as_tensor(y, dtype=torch.int64) for y in data[2:])     # (N,) class indices
    model = make_model(seed)
    loss_fn = nn.CrossEntropyLoss()                # softmax + negative log-likelihood, mean over batch
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    loader = DataLoader(TensorDataset(X_train, y_train), batch_size=B, shuffle=True,
                        generator=torch.Generator().manual_seed(seed))   # a new order every epoch
    history = [evaluate_torch(model, X_train, y_train) + evaluate_torch(model, X_test, y_test)]
    for epoch in range(epochs):
        for X_b, y_b in loader:                    # (B, d) float32, (B,) int64
            step(model, loss_fn, optimizer, X_b, y_b)
        history.append(evaluate_torch(model, X_train, y_train) + evaluate_torch(model, X_test, y_test))
    return model, np.array(history)
# --8<-- [end:torch_train]
# --8<-- [start:to_torch]


def to_torch(params):
    """A float64 nn.Sequential holding copies of params: model[0] is (W1, b1), model[2] is (W2, b2)."""
    (m, d), C = params["W1"].shape, len(params["b2"])
    model = nn.Sequential(nn.Linear(d, m), nn.ReLU(), nn.Linear(m, C)).double()
    with torch.no_grad():                          # writing into parameters is not part of any graph
        for p, value in zip(model.parameters(), params.values()):   # W1, b1, W2, b2, in this order
            p.copy_(torch.from_numpy(value))       # weights are (out, in) in both: no transpose
    return model
# --8<-- [end:to_torch]
# --8<-- [start:same_network]


def same_network(data, steps=None, lr=LR, B=BATCH_SIZE, seed=SEED):
    """NumPy and PyTorch, float64, same weights, same batches: (steps taken, max |diff| per parameter)."""
    (X, _, y, _), rng = data, np.random.default_rng(seed)
    params = init_params(rng)
    model = to_torch(params)                       # a copy: the two never share memory
    loss_fn, optimizer = nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), lr=lr)
    batches = minibatches(len(X), B, rng)[:steps]
    for idx in batches:                            # the SAME batches, in the same order
        sgd_step(params, X[idx], y[idx], lr)
        train_step(model, loss_fn, optimizer, torch.from_numpy(X[idx]), torch.from_numpy(y[idx]))
    gaps = {k: np.abs(params[k] - p.detach().numpy()).max() for k, p in zip(params, model.parameters())}
    return len(batches), gaps
# --8<-- [end:same_network]
# --8<-- [start:pitfalls]


def step_without_zero_grad(model, loss_fn, optimizer, X_b, y_b):
    """train_step with optimizer.zero_grad() forgotten: .grad holds the SUM of all gradients so far."""
    loss = loss_fn(model(X_b), y_b)
    loss.backward()                                # adds to .grad instead of replacing it
    optimizer.step()
    return loss.item()
# --8<-- [end:pitfalls]
# --8<-- [start:ex_minibatch]


def minibatch_mean_gap(params, X, y, B):
    """Exercise 1: max |mean of one epoch's batch gradients - full gradient|, (plain, size-weighted)."""
    _, full = loss_and_grads(params, X, y)
    batches = [np.arange(i, min(i + B, len(X))) for i in range(0, len(X), B)]   # in order, last one short
    grads = [loss_and_grads(params, X[idx], y[idx])[1] for idx in batches]
    gaps = []
    for w in ([1 / len(batches)] * len(batches), [len(idx) / len(X) for idx in batches]):  # plain, weighted
        gaps.append(max(np.abs(sum(w_k * g[k] for w_k, g in zip(w, grads)) - full[k]).max() for k in params))
    return tuple(gaps)
# --8<-- [end:ex_minibatch]
# --8<-- [start:ex_bias_sum]


def output_bias_sum(data, epochs=1, seed=SEED):
    """Exercise 2: b2 starts random; returns (sum(b2) before, sum(b2) after, max |change of b2|)."""
    rng = np.random.default_rng(seed)
    params = init_params(rng)
    params["b2"] = rng.normal(size=params["b2"].shape)          # (C,) not zero, to make it interesting
    before = params["b2"].copy()
    params, _ = train_numpy(data, epochs, params=params)
    return before.sum(), params["b2"].sum(), np.abs(params["b2"] - before).max()
# --8<-- [end:ex_bias_sum]
# --8<-- [start:ex_zero_init]


def zero_init(data, epochs=EPOCHS):
    """Exercise 3: every weight and bias starts at 0. Returns the trained params and the history."""
    params = {k: np.zeros_like(v) for k, v in init_params(np.random.default_rng(0)).items()}
    return train_numpy(data, epochs, params=params)
# --8<-- [end:ex_zero_init]
# --8<-- [start:ex_divide]


def divide_by_16(epochs=EPOCHS):
    """Exercise 4: scale by the known pixel range 0..16 instead of standardizing. Returns the history."""
    X_train, X_test, y_train, y_test = load_split()
    return train_numpy((X_train / 16.0, X_test / 16.0, y_train, y_test), epochs)[1]
# --8<-- [end:ex_divide]


@contextlib.contextmanager
def one_thread():
    """PyTorch and NumPy's BLAS on one thread (tiny matrices: extra threads only wait), then restore."""
    from threadpoolctl import threadpool_limits   # installed with scikit-learn
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    with threadpool_limits(1):
        yield
    torch.set_num_threads(threads)                # the site's build runs this module in its own process


@functools.lru_cache(maxsize=1)
def _runs():
    """Both trainings once per process, shared by the figures."""
    with one_thread():
        data, _ = prepare_data()
        return data, train_numpy(data), train_torch(data)


def plot_history():
    """Cost and accuracy per epoch, train and test, NumPy and PyTorch."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    _, (_, h_np), (_, h_t) = _runs()
    fig, (ax_J, ax_acc) = plt.subplots(1, 2, figsize=(7, 2.9))
    for (h, name, style), (col, split, color) in itertools.product(
            ((h_np, "NumPy", "-"), (h_t, "PyTorch", ":")), ((0, "train", "C0"), (2, "test", "C1"))):
        ax_J.plot(h[:, col], style, color=color, label=f"{name}, {split}")
        ax_acc.plot(h[:, col + 1], style, color=color, label=f"{name}, {split}")
    ax_J.set(xlabel="epoch", ylabel="cross-entropy J", yscale="log", title="cost")
    ax_acc.set(xlabel="epoch", ylabel="accuracy", ylim=(0.85, 1.005), title="accuracy")
    ax_acc.legend(frameon=False, fontsize=7, loc="lower right")
    fig.tight_layout()
    return fig


def plot_mistakes():
    """Left: confusion matrix of the NumPy network on the test set. Right: some of its mistakes."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    (_, X_test, _, y_test), (params, _), _ = _runs()
    y_pred, raw_test = predict(params, X_test), load_split()[1]   # unscaled test images, for display
    M = np.zeros((10, 10), dtype=int)
    np.add.at(M, (y_test, y_pred), 1)              # M[true, predicted] counts
    fig = plt.figure(figsize=(7, 3.1))
    ax = fig.add_axes((0.06, 0.14, 0.38, 0.76))
    ax.imshow(np.log1p(M), cmap="Blues")
    for (i, j), n in zip(zip(*np.nonzero(M)), M[M > 0]):
        ax.text(j, i, n, ha="center", va="center", fontsize=6, color="w" if i == j else "k")
    ax.set(xticks=range(10), yticks=range(10), xlabel="predicted digit", ylabel="true digit",
           title="confusion matrix (test)")
    for k, n in enumerate(np.flatnonzero(y_pred != y_test)[:8]):
        sub = fig.add_axes((0.52 + 0.12 * (k % 4), 0.53 - 0.43 * (k // 4), 0.1, 0.33))
        sub.imshow(raw_test[n].reshape(8, 8), cmap="gray_r", vmin=0, vmax=16)
        sub.set_title(f"{y_test[n]} → {y_pred[n]}", fontsize=8)
        sub.axis("off")
    fig.text(0.74, 0.93, "mistakes: true → predicted", ha="center", fontsize=9)
    return fig


def check():
    """Print the max |from scratch - PyTorch| in float64: forward, loss, gradients, then SGD steps."""
    data, _ = prepare_data()
    rng = np.random.default_rng(1)
    params, idx = init_params(rng), rng.choice(len(data[0]), size=5, replace=False)
    X, y = data[0][idx], data[2][idx]                            # a tiny batch: N = 5
    model, X_t = to_torch(params), torch.from_numpy(X)
    J_torch = nn.CrossEntropyLoss()(model(X_t), torch.from_numpy(y))
    J_torch.backward()                                           # autograd's gradients in .grad
    J, grads = loss_and_grads(params, X, y)
    torch_grads = dict(zip(params, (p.grad for p in model.parameters())))   # W1, b1, W2, b2
    diff = lambda a, b: np.abs(np.asarray(a) - np.asarray(b)).max()                # noqa: E731
    rows = [("forward: logits Z2 vs nn.Sequential", diff(forward(params, X)[2], model(X_t).detach())),
            ("cross_entropy vs nn.CrossEntropyLoss", abs(J - J_torch.item()))]
    rows += [(f"backward d{k} vs autograd", diff(grads[k], torch_grads[k])) for k in params]
    steps, gaps = same_network(data)
    rows += [(f"after {steps} SGD steps: {k}, NumPy vs torch.optim.SGD", gaps[k]) for k in params]
    print(f"{'from scratch vs PyTorch, float64':52} max |difference|")
    for name, value in rows:
        print(f"{name:52} {value:.1e}")


def pitfalls():
    h, data = train_numpy(load_split())[1], prepare_data()[0]   # raw pixels 0..16; standardized ones
    print(f"1. raw pixels 0..16, eta = {LR}: test accuracy at epochs 0, 4, ..., {EPOCHS}:", np.round(h[::4, 3], 2))
    for lr in (0.001, 0.1, 10.0):                  # too small, good, too large
        with np.errstate(over="ignore", invalid="ignore"):   # the diverging run overflows: show it
            h = train_numpy(data, lr=lr)[1]
        print(f"2. eta = {lr:<5g}: train J after 1, 5, {EPOCHS} epochs {h[[1, 5, -1], 0]}, "
              f"final test accuracy {h[-1, 3]:.4f}")
    h = train_torch(data, epochs=5, step=step_without_zero_grad)[1]
    print("3. no optimizer.zero_grad(): train J by epoch", np.array2string(h[:, 0], precision=1),
          "\n   test accuracy by epoch", np.round(h[:, 3], 3))
    X_all, X_train = load_digits().data, load_split()[0]
    print(f"4. leakage: mean over ALL images vs over training images differ by up to "
          f"{np.abs(X_all.mean(0) - X_train.mean(0)).max():.3f} (pixels 0..16)")
    images = load_digits().images                  # (1797, 8, 8): the same pixels, not flattened
    for n, run in enumerate((lambda: make_model()(torch.as_tensor(images, dtype=torch.float32)),
                             lambda: make_model()(torch.from_numpy(images.reshape(-1, 64))),   # float64
                             lambda: check_data(images)), 5):
        try:
            run()
        except (RuntimeError, ValueError) as error:
            print(f"{n}. {error}")


def exercises(which):
    data, _ = prepare_data()
    if which == "1":
        for B in (32, 449):                        # 1347 = 42 * 32 + 3 = 3 * 449
            gaps = minibatch_mean_gap(init_params(np.random.default_rng(0)), data[0], data[2], B)
            print("B = {:3d}: max |mean of batch gradients - full gradient|: plain {:.1e}, weighted {:.1e}"
                  .format(B, *gaps))
    elif which == "2":
        print("sum(b2) before {:.15f}\nsum(b2) after  {:.15f} (one epoch)\nlargest change of one entry "
              "of b2: {:.4f}".format(*output_bias_sum(data)))
    elif which == "3":
        p, h = zero_init(data)
        print(f"max |W1|, |b1|, |W2| = {[float(np.abs(p[k]).max()) for k in ('W1', 'b1', 'W2')]}\nb2 = "
              f"{np.round(p['b2'], 3)}\npredicted digits on the test set: {np.unique(predict(p, data[1]))}, "
              f"test accuracy {h[-1, 3]:.4f}")
    else:
        for name, h in (("x / 16", divide_by_16()), ("standardized", train_numpy(data)[1])):
            print(f"{name:>12}: train J after 5, 10, 20 epochs {np.round(h[[5, 10, 20], 0], 4)}, "
                  f"test accuracy {np.round(h[[5, 10, 20], 3], 4)}")


if __name__ == "__main__":
    with one_thread():
        if "--check" in sys.argv[1:]:
            check()
        elif "--pitfalls" in sys.argv[1:]:
            pitfalls()
        elif "--exercise" in sys.argv[1:]:
            exercises(sys.argv[sys.argv.index("--exercise") + 1])
        elif "--steps" in sys.argv[1:]:
            # --8<-- [start:demo_step_setup]
            data, _ = prepare_data()
            X_train, y_train = data[0], data[2]
            rng = np.random.default_rng(SEED)
            params = init_params(rng)                     # the starting weights of both
            idx = rng.permutation(len(X_train))[:BATCH_SIZE]      # the first batch, as minibatches draws it
            # --8<-- [end:demo_step_setup]
            # --8<-- [start:demo_step]
            theta = {k: v.copy() for k, v in params.items()}      # sgd_step updates in place
            for step in range(3):
                print(f"NumPy   step {step}: batch loss {sgd_step(theta, X_train[idx], y_train[idx], LR):.15f}")
            # --8<-- [end:demo_step]
            # --8<-- [start:demo_step_torch]
            model = to_torch(params)                      # the same starting weights, float64
            loss_fn, optimizer = nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), lr=LR)
            X_b, y_b = torch.from_numpy(X_train[idx]), torch.from_numpy(y_train[idx])   # the same batch
            for step in range(3):
                print(f"PyTorch step {step}: batch loss {train_step(model, loss_fn, optimizer, X_b, y_b):.15f}")
            # --8<-- [end:demo_step_torch]
        else:
            # --8<-- [start:demo]
            start = time.perf_counter()
            data, (mu, sigma) = prepare_data()            # load, split, scale
            print(f"{len(data[0])} training and {len(data[1])} test images of {data[0].shape[1]} pixels; "
                  f"{-(-len(data[0]) // BATCH_SIZE)} batches of up to {BATCH_SIZE} per epoch\n")
            params, history = train_numpy(data)           # initialize, then EPOCHS passes of SGD
            print_history("NumPy", history, time.perf_counter() - start)
            # --8<-- [end:demo]
            # --8<-- [start:demo_torch]
            torch.set_num_threads(1)    # a net this small gains nothing from more; on a busy CPU they wait
            start = time.perf_counter()
            data, (mu, sigma) = prepare_data()
            model, history = train_torch(data)
            print_history("PyTorch", history, time.perf_counter() - start)
            # --8<-- [end:demo_torch]
