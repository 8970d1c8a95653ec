"""Regularization from scratch beside PyTorch: L2 and weight decay, L1, inverted dropout, early stopping,
data augmentation, label smoothing, and why weight decay is not an L2 penalty under Adam (Adam vs AdamW).

Over- and underfitting on a polynomial fit and on a too-big MLP trained on 200 of scikit-learn's 8x8 digits
(load_digits, no download). Each from-scratch piece equals PyTorch in float64: the penalties' gradients,
SGD with weight_decay, Adam(weight_decay) and AdamW step for step, nn.Dropout given the same mask.

Page: docs/training/regularization.md (topic 15). Papers: Krogh & Hertz (1992), "A simple weight decay can
improve generalization"; Srivastava et al. (2014), "Dropout"; Loshchilov & Hutter (2019), "Decoupled weight
decay regularization"; Prechelt (1998), "Early stopping - but when?"; Kingma & Ba (2015), "Adam";
Tibshirani (1996), "the lasso"; Szegedy et al. (2016), label smoothing.

    python code/training/regularization.py     # one MLP trained six ways; other demos: --polynomial,
        --dropout, --optimizers, --check (vs PyTorch), --pitfalls, --exercise 1 (to 4)
"""
import contextlib
import functools
import sys

# --8<-- [start:imports]
import copy

import numpy as np
from sklearn.datasets import load_digits
# --8<-- [end:imports]
# --8<-- [start:torch_imports]
import torch
import torch.nn.functional as F
from torch import nn
# --8<-- [end:torch_imports]
# --8<-- [start:validation]


def _check_rate(value, name, high=1.0):
    """A real number in [0, high]: a probability, a penalty strength, a threshold."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    if not 0 <= value <= high:
        raise ValueError(f"{name} must lie in [0, {high:g}], got {value}")
    return float(value)
# --8<-- [end:validation]
# --8<-- [start:polynomial]


def poly_data(N, seed=0, noise=0.2):
    """N points of a smooth curve measured with noise: x ~ U(-1, 1), y = sin(pi x) + noise, (N,) each."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, size=N)
    return x, np.sin(np.pi * x) + noise * rng.normal(size=N)


def poly_features(x, degree):
    """Phi (N, degree + 1) with columns 1, x, x^2, ..., x^degree."""
    return np.asarray(x, dtype=np.float64)[:, None] ** np.arange(degree + 1)


def fit_ridge(Phi, y, lam=0.0):
    """argmin_w (1/N)||Phi w - y||^2 + (lam/2)||w||^2, eq. (5), as least squares on Phi stacked over
    sqrt(N lam / 2) I: the same normal equations, without squaring Phi's condition number."""
    N, P = Phi.shape
    A = np.vstack([Phi, np.sqrt(N * _check_rate(lam, "lam", np.inf) / 2) * np.eye(P)])   # (N + P, P)
    return np.linalg.lstsq(A, np.concatenate([y, np.zeros(P)]), rcond=None)[0]           # (P,)
# --8<-- [end:polynomial]
# --8<-- [start:penalties]


def l2_penalty(w, lam):
    """Omega = (lam/2) ||w||^2 and its gradient lam w, eqs. (2)-(3)."""
    w, lam = np.asarray(w, dtype=np.float64), _check_rate(lam, "lam", np.inf)
    return 0.5 * lam * np.sum(w ** 2), lam * w


def l1_penalty(w, lam):
    """Omega = lam ||w||_1 and the subgradient lam sign(w), eqs. (6)-(7); sign(0) = 0, as in torch."""
    w, lam = np.asarray(w, dtype=np.float64), _check_rate(lam, "lam", np.inf)
    return lam * np.sum(np.abs(w)), lam * np.sign(w)


def soft_threshold(v, tau):
    """sign(v) max(|v| - tau, 0), eq. (8): the exact minimizer of (1/2)(w - v)^2 + tau |w|."""
    v = np.asarray(v, dtype=np.float64)
    return np.sign(v) * np.maximum(np.abs(v) - _check_rate(tau, "tau", np.inf), 0.0) + 0.0   # + 0.0: no -0.0
# --8<-- [end:penalties]
# --8<-- [start:sgd_decay]


def sgd_l2_step(w, g, lr, lam):
    """Gradient descent on J + (lam/2)||w||^2: w - lr (g + lam w), eq. (4) left."""
    return w - lr * (g + lam * w)


def sgd_decay_step(w, g, lr, lam):
    """Weight decay: shrink w by the factor (1 - lr lam), then step, eq. (4) right."""
    return (1 - lr * lam) * w - lr * g
# --8<-- [end:sgd_decay]
# --8<-- [start:adam]


def adam_step(w, g, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, decoupled=False):
    """One Adam step, eq. (10). decoupled=False: the L2 gradient lam w joins g and passes through m and v,
    eq. (11), like torch.optim.Adam(weight_decay=lam). decoupled=True: AdamW, eq. (12), w shrinks by
    (1 - lr lam) outside m and v. state (a dict, empty at first) is updated in place. Returns the new w."""
    (b1, b2), lam = betas, _check_rate(weight_decay, "weight_decay", np.inf)
    if decoupled:
        w = (1 - lr * lam) * w                  # eq. (12): the decay never enters m or v
    else:
        g = g + lam * w                         # eq. (11): the penalty's gradient, divided by sqrt(v) below
    state["t"] = t = state.get("t", 0) + 1
    state["m"] = b1 * state.get("m", 0.0) + (1 - b1) * g          # running mean of g
    state["v"] = b2 * state.get("v", 0.0) + (1 - b2) * g * g      # running mean of g^2
    m_hat, v_hat = state["m"] / (1 - b1 ** t), state["v"] / (1 - b2 ** t)   # bias correction
    return w - lr * m_hat / (np.sqrt(v_hat) + eps)
# --8<-- [end:adam]
# --8<-- [start:trajectory]


def linreg_data(N=32, d=5, seed=0):
    """X (N, d) with column scales from 0.1 to 3.2 (so Adam's per-coordinate scaling matters), y (N,),
    and a starting point w0 (d,)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(N, d)) * np.logspace(-1, 0.5, d)
    return X, X @ rng.normal(size=d) + 0.1 * rng.normal(size=N), rng.normal(size=d)


def trajectory(kind, lam, steps=5, lr=0.05, seed=0):
    """w_0, ..., w_steps, (steps + 1, d), minimizing J = mean((X w - y)^2) with gradient
    (2/N) X^T (X w - y), by kind = "sgd_l2", "sgd_decay", "adam_l2" or "adamw"."""
    if kind not in ("sgd_l2", "sgd_decay", "adam_l2", "adamw"):
        raise ValueError(f"kind must be 'sgd_l2', 'sgd_decay', 'adam_l2' or 'adamw', got {kind!r}")
    X, y, w = linreg_data(seed=seed)
    W, state = [w], {}
    for _ in range(steps):
        g = 2 / len(y) * X.T @ (X @ w - y)                             # (d,)
        if kind.startswith("sgd"):
            w = (sgd_l2_step if kind == "sgd_l2" else sgd_decay_step)(w, g, lr, lam)
        else:
            w = adam_step(w, g, state, lr, weight_decay=lam, decoupled=kind == "adamw")
        W.append(w)
    return np.array(W)
# --8<-- [end:trajectory]
# --8<-- [start:torch_trajectory]


def torch_trajectory(optimizer, lam, steps=5, lr=0.05, seed=0, **options):
    """The same run with a torch.optim class (SGD, Adam or AdamW), float64: (steps + 1, d)."""
    X, y, w0 = (torch.from_numpy(a) for a in linreg_data(seed=seed))
    w = w0.clone().requires_grad_(True)
    opt = optimizer([w], lr=lr, weight_decay=lam, **options)
    W = [w0.numpy().copy()]
    for _ in range(steps):
        opt.zero_grad()
        ((X @ w - y) ** 2).mean().backward()                           # autograd: (2/N) X^T (X w - y)
        opt.step()
        W.append(w.detach().numpy().copy())
    return np.array(W)
# --8<-- [end:torch_trajectory]
# --8<-- [start:dropout]


def dropout(h, p, rng=None, training=True, mask=None):
    """Inverted dropout, eq. (13): keep each entry with probability 1 - p and divide it by 1 - p, so that
    E[output] = h, eq. (14); the identity when not training. Returns (output, mask), both shaped like h."""
    h, p = np.asarray(h, dtype=np.float64), _check_rate(p, "dropout probability p")
    if not training or p == 0:
        return h.copy(), np.ones_like(h)
    if p == 1:                                  # every unit dropped; 1 / (1 - p) would be inf
        return np.zeros_like(h), np.zeros_like(h)
    if mask is None:
        mask = (rng.random(h.shape) >= p).astype(np.float64)      # 1 with probability 1 - p
    elif np.shape(mask) != h.shape or not np.isin(mask, (0, 1)).all():
        raise ValueError(f"mask must hold only 0s and 1s in the shape of h, {h.shape}, got {np.shape(mask)}")
    return h * mask * (1.0 / (1.0 - p)), mask  # in this order: nn.Dropout's bits exactly


def dropout_backward(grad_out, mask, p):
    """dL/dh = mask / (1 - p) * dL/d(output), eq. (15): a dropped unit passes no gradient back."""
    return grad_out * mask * (1.0 / (1.0 - p)) if p < 1 else np.zeros_like(grad_out)


def mask_from_output(out):
    """nn.Dropout's mask, read back from its output (valid when no input entry is exactly 0)."""
    return (np.asarray(out) != 0).astype(np.float64)
# --8<-- [end:dropout]
# --8<-- [start:augment]


def shift_images(X, dy, dx):
    """Every 8x8 image moved dy rows down and dx columns right, eq. (16); pixels shifted in are 0."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 64:
        raise ValueError(f"X must have shape (N, 64), one flattened 8x8 image per row, got {X.shape}")
    if not all(isinstance(s, (int, np.integer)) for s in (dy, dx)) or max(abs(dy), abs(dx)) > 7:
        raise ValueError(f"shifts dy, dx must be integers in [-7, 7], got ({dy}, {dx})")
    I, out = X.reshape(-1, 8, 8), np.zeros((len(X), 8, 8))
    out[:, max(dy, 0):8 + min(dy, 0), max(dx, 0):8 + min(dx, 0)] = \
        I[:, max(-dy, 0):8 + min(-dy, 0), max(-dx, 0):8 + min(-dx, 0)]   # out[r, c] = I[r - dy, c - dx]
    return out.reshape(len(X), 64)


def random_shifts(X, y, rng, max_shift=1):
    """Augmentation: each image moved by its own random (dy, dx) in [-max_shift, max_shift]^2. The labels
    come back unchanged: a shifted 3 is still a 3. Returns (X_aug (N, 64), y (N,))."""
    X = np.asarray(X, dtype=np.float64)
    if np.shape(y) != (len(X),):
        raise ValueError(f"labels y must have shape (N,) = ({len(X)},), one per image, got {np.shape(y)}")
    d = rng.integers(-max_shift, max_shift + 1, size=(len(X), 2))    # (N, 2) one shift per image
    out = np.empty_like(X)
    for dy, dx in {tuple(s) for s in d.tolist()}:                    # one call per distinct shift
        rows = (d[:, 0] == dy) & (d[:, 1] == dx)
        out[rows] = shift_images(X[rows], dy, dx)
    return out, y
# --8<-- [end:augment]
# --8<-- [start:torch_shift]


def torch_shift_images(X, dy, dx):
    """The same shift in PyTorch: pad with zeros, then crop the 8x8 window that lands on (dy, dx)."""
    s = max(abs(dy), abs(dx))
    P = F.pad(torch.as_tensor(X).reshape(-1, 8, 8), (s, s, s, s))   # (N, 8 + 2s, 8 + 2s)
    return P[:, s - dy:s - dy + 8, s - dx:s - dx + 8].reshape(-1, 64)
# --8<-- [end:torch_shift]
# --8<-- [start:mlp]


def digits_split(N_train=200, N_val=300, seed=0):
    """(X_train, y_train, X_val, y_val, X_shifted): a small training set, a validation set, and the
    validation images moved at random by up to one pixel. Pixels scaled to [0, 1] by their range 0..16."""
    X, y = load_digits(return_X_y=True)           # 1797 images, shipped with scikit-learn
    order = np.random.default_rng(seed).permutation(len(X))
    tr, va = order[:N_train], order[N_train:N_train + N_val]
    return X[tr] / 16, y[tr], X[va] / 16, y[va], random_shifts(X[va] / 16, y[va], np.random.default_rng(1))[0]


def make_mlp(hidden=128, p=0.0, seed=0):
    """64 -> hidden (ReLU) -> Dropout(p) -> 10, float32: 9,610 weights at hidden = 128, far more than 200
    images can pin down."""
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(64, hidden), nn.ReLU(), nn.Dropout(p), nn.Linear(hidden, 10))


def evaluate(model, X, y):
    """(mean cross-entropy, accuracy) in eval mode (dropout off) and without a graph."""
    model.eval()
    with torch.no_grad():
        Z, y = model(torch.as_tensor(X, dtype=torch.float32)), torch.as_tensor(y)     # (N, 10), (N,)
        return F.cross_entropy(Z, y).item(), (Z.argmax(dim=1) == y).double().mean().item()
# --8<-- [end:mlp]
# --8<-- [start:early_stopping]


class EarlyStopping:
    """Stop once the validation loss has not improved by more than min_delta for `patience` epochs in a
    row, keeping a copy of the best weights to restore (Prechelt, 1998)."""

    def __init__(self, patience=10, min_delta=0.0):
        if isinstance(patience, bool) or not isinstance(patience, int) or patience < 1:
            raise ValueError(f"patience must be an integer >= 1 (epochs to wait), got {patience!r}")
        self.patience, self.min_delta = patience, _check_rate(min_delta, "min_delta", np.inf)
        self.best, self.best_epoch, self.best_state, self.wait, self.epoch = np.inf, None, None, 0, -1

    def step(self, val_loss, model):
        """Record one epoch's validation loss; returns True when training should stop."""
        self.epoch += 1
        if val_loss < self.best - self.min_delta:      # NaN compares False: never an improvement
            self.best, self.best_epoch, self.wait = val_loss, self.epoch, 0
            self.best_state = copy.deepcopy(model.state_dict())    # a copy: state_dict() is live
        else:
            self.wait += 1
        return self.wait >= self.patience

    def restore(self, model):
        """Put the best weights back into the model."""
        model.load_state_dict(self.best_state)
# --8<-- [end:early_stopping]
# --8<-- [start:train]


def train_mlp(data, epochs=100, p=0.0, weight_decay=0.0, augment=False, smoothing=0.0, stopper=None,
              lr=1e-2, seed=0):
    """Full-batch AdamW (weight_decay=0 is plain Adam). Returns (model, history), history (epochs run, 3):
    training loss, validation loss and validation accuracy after each epoch."""
    X_train, y_train, X_val, y_val, _ = data
    model, rng = make_mlp(p=p, seed=seed), np.random.default_rng(seed)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    history = []
    for epoch in range(epochs):
        X_b, y_b = random_shifts(X_train, y_train, rng) if augment else (X_train, y_train)   # fresh shifts
        model.train()                                                   # dropout on
        opt.zero_grad()
        Z = model(torch.as_tensor(X_b, dtype=torch.float32))            # (N, 10) logits
        F.cross_entropy(Z, torch.as_tensor(y_b), label_smoothing=smoothing).backward()
        opt.step()
        history.append((evaluate(model, X_train, y_train)[0], *evaluate(model, X_val, y_val)))
        if stopper is not None and stopper.step(history[-1][1], model):
            break
    if stopper is not None:
        stopper.restore(model)
    return model, np.array(history)
# --8<-- [end:train]
# --8<-- [start:inspect]


def mean_confidence(model, X):
    """The largest softmax probability of each image, averaged: how sure the model is."""
    model.eval()
    with torch.no_grad():
        P = F.softmax(model(torch.as_tensor(X, dtype=torch.float32)), dim=1)   # (N, 10)
        return P.max(dim=1).values.mean().item()


def predictions_in_mode(model, X, training):
    """The model's predictions for the same images from two calls, in training or in eval mode."""
    model.train(training)                           # train(False) is the same as eval()
    with torch.no_grad():
        return tuple(model(torch.as_tensor(X, dtype=torch.float32)).argmax(dim=1) for _ in range(2))
# --8<-- [end:inspect]
# --8<-- [start:pitfalls]


class LiveEarlyStopping(EarlyStopping):
    """The bug: keep model.state_dict() itself. Its tensors ARE the model's weights, so the "best" state
    goes on changing with training, and restore() brings back the last weights, not the best."""

    def step(self, val_loss, model):
        stop = super().step(val_loss, model)
        if self.best_epoch == self.epoch:
            self.best_state = model.state_dict()          # no copy
        return stop


def l1_descent(X, y, w, lam, proximal, lr=0.01, steps=2000):
    """mean((X w - y)^2) + lam ||w||_1 minimized by subgradient steps, eq. (7), or proximal ones, eq. (9)."""
    for _ in range(steps):
        g = 2 / len(y) * X.T @ (X @ w - y)                              # (d,) gradient of the data term
        w = soft_threshold(w - lr * g, lr * lam) if proximal else w - lr * (g + l1_penalty(w, lam)[1])
    return w
# --8<-- [end:pitfalls]
# --8<-- [start:ex_soft_threshold]


def grid_minimizer(v, tau, reg="l1"):
    """Exercise 1: the best w on a grid of spacing 5e-5 for (1/2)(w - v)^2 + tau |w| or + (tau/2) w^2."""
    w = np.linspace(-5, 5, 200_001)
    penalty = tau * np.abs(w) if reg == "l1" else 0.5 * tau * w ** 2
    return w[np.argmin(0.5 * (w - v) ** 2 + penalty)]
# --8<-- [end:ex_soft_threshold]
# --8<-- [start:ex_dropout_variance]


def dropout_variance(h, p, n=200_000, seed=0):
    """Exercise 2: the variance of one unit's dropout output over n masks, and h^2 p / (1 - p)."""
    out, _ = dropout(np.full(n, h), p, np.random.default_rng(seed))
    return out.var(), h ** 2 * p / (1 - p)
# --8<-- [end:ex_dropout_variance]
# --8<-- [start:ex_ridge]


def ridge_by_weight_decay(Phi, y, lam, lr, steps):
    """Exercise 3: weight decay, eq. (4), on J = (1/N)||Phi w - y||^2 from w = 0, for `steps` steps."""
    w = np.zeros(Phi.shape[1])
    for _ in range(steps):
        w = sgd_decay_step(w, 2 / len(y) * Phi.T @ (Phi @ w - y), lr, lam)
    return w
# --8<-- [end:ex_ridge]
# --8<-- [start:ex_untouched]


def untouched_weight(lam, steps=200, lr=1e-3, w0=1.0):
    """Exercise 4: a weight whose data gradient is always 0, under Adam with an L2 term (weight_decay=lam)
    and under AdamW (the same lam). Returns the two trajectories, (steps + 1,) each."""
    paths = []
    for decoupled in (False, True):
        w, state, W = np.array([w0]), {}, [w0]
        for _ in range(steps):
            w = adam_step(w, np.zeros(1), state, lr, weight_decay=lam, decoupled=decoupled)
            W.append(w[0])
        paths.append(np.array(W))
    return tuple(paths)
# --8<-- [end:ex_untouched]


@contextlib.contextmanager
def one_thread():
    """PyTorch on one thread (matrices this small only wait for a second one), then as before: the
    site's build runs this module inside its own process."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


@functools.lru_cache(maxsize=1)
def runs():
    """The MLP trained five ways on the same data, once per process (the demo and the figure share it)."""
    data = digits_split()
    settings = {"no regularization": {}, "weight decay 0.5 (AdamW)": {"weight_decay": 0.5},
                "dropout p = 0.5": {"p": 0.5}, "random 1-pixel shifts": {"augment": True},
                "label smoothing 0.1": {"smoothing": 0.1}}
    with one_thread():
        return data, {name: train_mlp(data, **kw) for name, kw in settings.items()}


def _plt():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def plot_polynomial():
    """12 noisy points fitted by polynomials of degree 1, 3 and 11 (and 11 with an L2 penalty)."""
    (x, y), (x_val, y_val), grid = poly_data(12), poly_data(200, seed=1), np.linspace(-1, 1, 120)
    fig, axes = _plt().subplots(1, 3, figsize=(7, 2.5), sharey=True)
    for ax, degree, title in zip(axes, (1, 3, 11), ("underfit", "good fit", "overfit")):
        for lam, style in ((0.0, "-"), (1e-3, "--"))[:2 if degree == 11 else 1]:   # L2 only at degree 11
            w = fit_ridge(poly_features(x, degree), y, lam)
            val = np.mean((poly_features(x_val, degree) @ w - y_val) ** 2)
            ax.plot(grid, poly_features(grid, degree) @ w, style, color="C0" if lam == 0 else "C2",
                    label=f"λ = {lam:g}: val MSE {val:.2f}")
        ax.plot(x, y, "o", color="C1", ms=4)
        ax.plot(grid, np.sin(np.pi * grid), ":", color="gray")
        ax.set(title=f"degree {degree}: {title}", ylim=(-2, 2), xlabel="x")
        ax.legend(frameon=False, fontsize=6.5, loc="lower right")
    fig.tight_layout()
    return fig


def plot_curves():
    """Left: training and validation loss of the unregularized MLP. Right: validation loss, four ways."""
    _, results = runs()
    fig, (ax1, ax2) = _plt().subplots(1, 2, figsize=(7, 2.9))
    h = results["no regularization"][1]
    ax1.plot(h[:, 0], label="training loss")
    ax1.plot(h[:, 1], label="validation loss")
    ax1.axvline(int(h[:, 1].argmin()), color="gray", ls=":", label="lowest validation loss")
    ax1.set(yscale="log", xlabel="epoch", ylabel="cross-entropy", title="no regularization")
    ax1.legend(frameon=False, fontsize=7)
    for name in list(results)[:4]:
        ax2.plot(results[name][1][:, 1], label=name)
    ax2.set(ylim=(0.15, 1.0), xlabel="epoch", ylabel="validation cross-entropy", title="four ways")
    ax2.legend(frameon=False, fontsize=7)
    fig.tight_layout()
    return fig


def check(n=1_000_000, p=0.3):
    """Print the max |from scratch - PyTorch| in float64 for every from-scratch piece, then the mean test."""
    rng, diff = np.random.default_rng(0), lambda a, b: float(np.max(np.abs(np.asarray(a) - np.asarray(b))))
    w, G = rng.normal(size=(4, 3)), np.arange(30.0).reshape(6, 5)     # weights; an upstream gradient
    tw = torch.tensor(w, requires_grad=True)
    (0.15 * (tw ** 2).sum() + 0.2 * tw.abs().sum()).backward()        # L2 with lam = 0.3, L1 with lam = 0.2
    h, X = rng.uniform(0.1, 1, size=(6, 5)), load_digits().data[:5] / 16   # h has no 0: its mask is readable
    torch.manual_seed(0)
    th = torch.tensor(h, requires_grad=True)
    out = nn.Dropout(p)(th)                                             # a new module is in training mode
    out.backward(torch.from_numpy(G))
    ours, mask = dropout(h, p, mask=mask_from_output(out.detach().numpy()))
    shifts = [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1)]
    rows = [("l2_penalty + l1_penalty gradient vs autograd", l2_penalty(w, 0.3)[1] + l1_penalty(w, 0.2)[1],
             tw.grad)]
    rows += [(f"{k} vs {o.__name__}(weight_decay=0.1), 5 steps", trajectory(k, 0.1), torch_trajectory(o, 0.1))
             for k, o in (("sgd_l2", torch.optim.SGD), ("sgd_decay", torch.optim.SGD),
                          ("adam_l2", torch.optim.Adam), ("adamw", torch.optim.AdamW))]
    rows += [("dropout vs nn.Dropout, the same mask", ours, out.detach()),
             ("dropout_backward vs autograd, the same mask", dropout_backward(G, mask, p), th.grad),
             ("dropout(training=False) vs nn.Dropout in eval()", dropout(h, p, training=False)[0],
              nn.Dropout(p).eval()(torch.from_numpy(h))),
             ("shift_images vs F.pad + crop, all 9 shifts", [shift_images(X, *s) for s in shifts],
              [torch_shift_images(X, *s).numpy() for s in shifts]),
             ("(contrast) Adam with L2 vs AdamW, the same lam = 0.1", trajectory("adam_l2", 0.1),
              torch_trajectory(torch.optim.AdamW, 0.1))]
    print(f"{'from scratch vs PyTorch, float64':56} max |difference|")
    for name, a, b in rows:
        print(f"{name:56} {diff(a, b):.1e}")
    torch.manual_seed(0)
    outs = {"dropout": dropout(np.ones(n), p, np.random.default_rng(0))[0],
            "nn.Dropout": nn.Dropout(p)(torch.ones(n, dtype=torch.float64)).numpy()}
    se_mean, se_zeroed = np.sqrt(p / ((1 - p) * n)), np.sqrt(p * (1 - p) / n)     # standard errors
    print(f"\n{n:,} ones through dropout, p = {p}: the mean should be 1 (standard error {se_mean:.1e}), "
          f"the fraction zeroed {p} (standard error {se_zeroed:.1e})")
    for name, o in outs.items():
        print(f"  {name:11} mean {o.mean():.5f}, fraction zeroed {np.mean(o == 0):.5f}, "
              f"kept values {np.unique(o[o != 0])}")


def table():
    data, results = runs()
    weights = sum(p.numel() for p in results["no regularization"][0].parameters())
    print(f"\nfive runs of an MLP with {weights:,} weights: {len(data[0])} training images, {len(data[2])} validation "
          f"images (centred, and shifted by up to one pixel)")
    print(f"{'':25} train loss  val loss  lowest (epoch)  val acc  shifted acc")
    for name, (model, h) in results.items():
        best = int(h[:, 1].argmin())
        print(f"{name:25} {h[-1, 0]:10.4f} {h[-1, 1]:9.4f} {h[best, 1]:9.4f} ({best:3d}) {h[-1, 2]:8.3f} "
              f"{evaluate(model, data[4], data[3])[1]:12.3f}")
    confidence = [mean_confidence(results[k][0], data[0]) for k in ("no regularization", "label smoothing 0.1")]
    print("mean confidence on the training images: no smoothing {:.4f}, smoothing 0.1 {:.4f} "
          "(cap 1 - eps + eps/C = {:.4f})".format(*confidence, 1 - 0.1 + 0.1 / 10))


def polynomial_table():
    (x, y), (x_val, y_val) = poly_data(12), poly_data(200, seed=1)
    print("degree  lambda  train MSE  val MSE  max |w|")
    for degree, lam in ((1, 0), (3, 0), (11, 0), (11, 1e-3), (11, 1.0)):
        w = fit_ridge(poly_features(x, degree), y, lam)
        mse = [np.mean((poly_features(a, degree) @ w - b) ** 2) for a, b in ((x, y), (x_val, y_val))]
        print(f"{degree:6d}  {lam:6g}  {mse[0]:9.4f}  {mse[1]:7.4f}  {np.abs(w).max():7.1f}")


def pitfalls():
    data = digits_split()
    model, _ = train_mlp(data, epochs=40, p=0.5)
    for training in (True, False):
        a, b = predictions_in_mode(model, data[2], training)
        print(f"1. a dropout model in {'train' if training else 'eval'} mode: two calls on the same {len(a)} "
              f"images disagree on {int((a != b).sum())} predictions")
    h, drop = torch.ones(100_000), nn.Dropout(0.5)
    print(f"2. mean activation, train / eval mode: inverted dropout {drop(h).mean():.3f} / "
          f"{drop.eval()(h).mean():.3f}; without the 1/(1 - p) {(drop.train()(h) * 0.5).mean():.3f} / {h.mean():.3f}")
    print(f"3. F.dropout(h, 0.5) in eval mode still zeroes {int((F.dropout(h, 0.5) == 0).sum()):,} of {len(h):,} "
          f"entries (its training=True is a default); with training=False, "
          f"{int((F.dropout(h, 0.5, training=False) == 0).sum())}")
    for stopper in (EarlyStopping(patience=10), LiveEarlyStopping(patience=10)):
        model, h = train_mlp(data, stopper=stopper)
        print(f"4. {type(stopper).__name__}: best validation loss {stopper.best:.4f} (epoch {stopper.best_epoch}), "
              f"last {h[-1, 1]:.4f} (epoch {len(h) - 1}); restored model {evaluate(model, data[2], data[3])[0]:.4f}")
    X, y, w0 = linreg_data()
    for proximal in (False, True):
        w = l1_descent(X, y, w0, 2.0, proximal)
        print(f"5. L1 with lam = 2 by {'proximal' if proximal else 'subgradient'} steps: w = "
              f"{np.array2string(w, precision=5)}, exact zeros: {int(np.sum(w == 0))}")


def exercises(which):
    if which == "1":
        for v in (-2.5, -0.3, 0.0, 0.5, 3.0):
            print(f"v = {v:4}, tau = 1: L1 grid {grid_minimizer(v, 1.0):+.4f}, soft_threshold "
                  f"{soft_threshold(v, 1.0):+.4f} | L2 grid {grid_minimizer(v, 1.0, 'l2'):+.4f}, v / 2 {v / 2:+.4f}")
    elif which == "2":
        for h, p in ((1.0, 0.5), (2.0, 0.1), (3.0, 0.3)):
            print("h = {}, p = {}: variance over masks {:.4f}, h^2 p / (1 - p) = {:.4f}".format(
                h, p, *dropout_variance(h, p)))
    elif which == "3":
        x, y = poly_data(12)
        Phi = poly_features(x, 3)
        w_gd, w_ridge = ridge_by_weight_decay(Phi, y, 0.1, 0.2, 5000), fit_ridge(Phi, y, 0.1)
        print(f"weight decay, 5000 steps: {w_gd}\nridge, eq. (5):           {w_ridge}\n"
              f"max |difference| {np.abs(w_gd - w_ridge).max():.1e}")
    else:
        for lam in (0.01, 1.0):
            a, b = untouched_weight(lam)
            print(f"lam = {lam:4}: w after 100 and 200 steps: Adam + L2 {a[100]:.4f}, {a[200]:.4f}; "
                  f"AdamW {b[100]:.6f}, {b[200]:.6f}")


if __name__ == "__main__":
    args = sys.argv[1:]
    with one_thread():
        if "--check" in args:
            check()
        elif "--pitfalls" in args:
            pitfalls()
        elif "--polynomial" in args:
            polynomial_table()
        elif "--exercise" in args:
            exercises(args[args.index("--exercise") + 1])
        elif "--dropout" in args:
            # --8<-- [start:demo_dropout]
            torch.manual_seed(0)
            h = torch.rand(2, 6, dtype=torch.float64) + 0.1     # (2, 6) activations, none exactly 0
            layer = nn.Dropout(p=0.5)                            # a new module is in training mode
            out = layer(h)                                       # kept entries are multiplied by 2
            ours, mask = dropout(h.numpy(), 0.5, mask=mask_from_output(out.numpy()))   # torch's mask
            print("h:\n", h.numpy().round(3), "\nnn.Dropout(0.5) in train mode:\n", out.numpy().round(3))
            print("ours with the same mask, max |difference|:", np.abs(ours - out.numpy()).max())
            layer.eval()                                         # model.eval() does this to every layer
            print("nn.Dropout in eval mode, max |output - h|:", (layer(h) - h).abs().max().item())
            # --8<-- [end:demo_dropout]
        elif "--optimizers" in args:
            # --8<-- [start:demo_optimizers]
            lam = 0.1
            for ours, opt in (("sgd_l2", torch.optim.SGD), ("sgd_decay", torch.optim.SGD),
                              ("adam_l2", torch.optim.Adam), ("adamw", torch.optim.AdamW)):
                gap = np.abs(trajectory(ours, lam) - torch_trajectory(opt, lam)).max()
                print(f"{ours:9} vs torch.optim.{opt.__name__}(weight_decay={lam}): max |difference| {gap:.1e}")
            W_adam = trajectory("adam_l2", lam)                  # = torch.optim.Adam(weight_decay=0.1)
            for lam_w in (0.0, 0.01, 0.1, 1.0, 10.0):            # no AdamW strength gives the same path
                gap = np.abs(W_adam - trajectory("adamw", lam_w)).max()
                print(f"Adam(weight_decay={lam}) vs AdamW(weight_decay={lam_w:<4}): max |difference| {gap:.3f}")
            # --8<-- [end:demo_optimizers]
        else:
            # --8<-- [start:demo]
            torch.set_num_threads(1)                             # matrices this small: one thread is fastest
            data = digits_split()                                # 200 training, 300 validation images
            stopper = EarlyStopping(patience=20)
            model, history = train_mlp(data, epochs=300, p=0.5, weight_decay=0.5, stopper=stopper)
            print(f"dropout 0.5 + weight decay 0.5 + early stopping: stopped after epoch {len(history) - 1}, "
                  f"restored epoch {stopper.best_epoch}")
            for name, X in (("validation", data[2]), ("shifted validation", data[4])):
                loss, acc = evaluate(model, X, data[3])
                print(f"{name:18} loss {loss:.4f}, accuracy {acc:.3f}")
            # --8<-- [end:demo]
            table()
