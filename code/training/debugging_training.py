"""Debugging training: the classic bugs, each reproduced on a tiny seeded problem with the symptom it produces
and its fix, and the tools that find them: overfit one batch, loss curves, per-layer gradient norms, a dead-unit
counter, NaN hunting with torch.isfinite, forward hooks and anomaly detection.

Page: docs/training/debugging-training.md (topic 18). Sources: Karpathy, "A Recipe for Training Neural Networks"
(2019); Glorot & Bengio (2010) and He et al. (2015), gradient size through depth; Polyak (1964), momentum;
Srivastava et al. (2014), dropout; Ioffe & Szegedy (2015), batch normalization.

    python code/training/debugging_training.py                  # demo: the whole gallery, symptom and fix
    python code/training/debugging_training.py --bug zero_grad  # one bug (a key of GALLERY)
    python code/training/debugging_training.py --check          # max |difference| against PyTorch, float64
    python code/training/debugging_training.py --exercise 1     # (to 4) the output of an exercise's solution
"""
import sys  # only the command line below uses it

# --8<-- [start:imports]
import math
import warnings

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
# --8<-- [end:imports]
# --8<-- [start:validation]


def _logits_targets(Z, y):
    """Logits Z (N, C) as float64 and class indices y (N,) of an integer dtype with values in [0, C)."""
    Z, y = np.asarray(Z), np.asarray(y)
    if Z.dtype.kind not in "iuf" or Z.ndim != 2 or Z.shape[0] == 0 or Z.shape[1] < 2:
        raise ValueError(f"logits Z must be real numbers of shape (N, C), N >= 1, C >= 2, got {Z.dtype} {Z.shape}")
    N, C = Z.shape
    if y.dtype.kind not in "iu":
        raise TypeError(f"targets y must be integer class indices (int64), got dtype {y.dtype}")
    if y.shape != (N,):
        raise ValueError(f"targets y must have shape (N,) = ({N},), got {y.shape}")
    if np.any((y < 0) | (y >= C)):
        raise ValueError(f"targets y must be class indices in [0, C) = [0, {C}), got {y[(y < 0) | (y >= C)][0]}")
    return Z.astype(np.float64), y


def _positive(value, name, integer=False):
    kinds = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds) or not 0 < value < math.inf:
        raise ValueError(f"{name} must be a positive finite {'integer' if integer else 'number'}, got {value!r}")
    return value
# --8<-- [end:validation]
# --8<-- [start:data]


def blobs(N=200, C=10, d=16, sep=1.5, seed=0):
    """A tiny C-class problem: X (N, d) float32 around C random centres, y (N,) int64, every class N / C times."""
    rng = np.random.default_rng(seed)
    centres = sep * rng.normal(size=(C, d))                 # (C, d)
    y = rng.permutation(np.arange(N) % C)                   # (N,)
    X = centres[y] + rng.normal(size=(N, d))                # (N, d)
    return torch.tensor(X, dtype=torch.float32), torch.tensor(y)


def regression(N=100, d=5, scale=1.0, seed=0):
    """Noisy linear targets: X (N, d), y = scale (X w + 0.5 noise) (N,), float32."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(N, d))
    y = scale * (X @ rng.normal(size=d) + 0.5 * rng.normal(size=N))
    return torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)


def mlp(*sizes, act=nn.ReLU, gain=None, seed=0):
    """Linear-act-...-Linear with the given widths, e.g. mlp(16, 32, 10). gain=None: PyTorch's default init;
    else weights N(0, gain² · 2 / fan_in) and zero biases (He init when gain = 1, eq. (15))."""
    torch.manual_seed(seed)
    layers = []
    for d_in, d_out in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(d_in, d_out), act()]
        if gain is not None:
            nn.init.normal_(layers[-2].weight, std=gain * math.sqrt(2.0 / d_in))
            nn.init.zeros_(layers[-2].bias)
    return nn.Sequential(*layers[:-1])                      # no activation after the output layer: logits
# --8<-- [end:data]
# --8<-- [start:train]


def train(model, X, y, steps=200, lr=0.1, loss_fn=F.cross_entropy, zero_grad=True, adam=False, val=None,
          params=None):
    """Full-batch training. Returns the loss at each step (steps,), and the validation loss after each step
    too if val = (X_val, y_val). The bugs on demand: zero_grad=False forgets optimizer.zero_grad(); params =
    another model's parameters gives the optimizer the wrong tensors."""
    _positive(steps, "steps", integer=True), _positive(lr, "lr")
    opt = (torch.optim.Adam if adam else torch.optim.SGD)(params or model.parameters(), lr=lr)
    losses, val_losses, threads = [], [], torch.get_num_threads()
    torch.set_num_threads(1)                  # tiny networks: starting threads costs more than the arithmetic
    try:
        for _ in range(steps):
            if zero_grad:
                opt.zero_grad()
            loss = loss_fn(model(X), y)
            loss.backward()
            opt.step()
            losses.append(loss.item())
            if val is not None:
                with torch.no_grad():
                    val_losses.append(loss_fn(model(val[0]), val[1]).item())
    finally:
        torch.set_num_threads(threads)
    return np.array(losses) if val is None else (np.array(losses), np.array(val_losses))
# --8<-- [end:train]
# --8<-- [start:cross_entropy]


def log_softmax(Z):
    """log softmax(Z) row by row, shifted by the row max so that no exp overflows or rounds to 0, eq. (7)."""
    Z = np.asarray(Z, dtype=np.float64)
    shifted = Z - Z.max(axis=1, keepdims=True)                                  # (N, C), max 0 per row
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def softmax(Z):
    return np.exp(log_softmax(Z))


def cross_entropy(Z, y):
    """Mean cross-entropy of logits Z (N, C) against class indices y (N,), eq. (1), like F.cross_entropy."""
    Z, y = _logits_targets(Z, y)
    return -log_softmax(Z)[np.arange(len(y)), y].mean()


def cross_entropy_grad(Z, y):
    """dJ/dZ = (softmax(Z) - T) / N with T the one-hot targets, eq. (8): finite for any finite logits."""
    Z, y = _logits_targets(Z, y)
    G = softmax(Z)                                                              # (N, C)
    G[np.arange(len(y)), y] -= 1.0
    return G / len(y)


def uniform_loss(C):
    """The loss of a model that gives every class probability 1/C, eq. (2): ln C."""
    return math.log(_positive(C, "C", integer=True))


def prior_loss(y, C):
    """The lowest loss without looking at the input: the entropy H(π) of the class frequencies π, eq. (3)."""
    _, y = _logits_targets(np.zeros((len(y), C)), y)
    pi = np.bincount(y, minlength=C) / len(y)                                   # (C,)
    return float(-np.sum(pi[pi > 0] * np.log(pi[pi > 0])))                      # 0 log 0 = 0
# --8<-- [end:cross_entropy]
# --8<-- [start:double_softmax]


def double_softmax_loss(Z, y):
    """The bug: cross-entropy applied to P = softmax(Z) as if P were logits, eq. (4)."""
    return cross_entropy(softmax(_logits_targets(Z, y)[0]), y)


def double_softmax_grad(Z, y):
    """dJ/dZ of eq. (4): eq. (8) at P = softmax(Z), sent back through softmax, eq. (6)."""
    Z, y = _logits_targets(Z, y)
    P = softmax(Z)                                           # (N, C), what the buggy model outputs
    G = cross_entropy_grad(P, y)                             # (N, C), dJ/dP
    return P * (G - (G * P).sum(axis=1, keepdims=True))      # softmax backward: P ⊙ (G - rowsum(G ⊙ P))


def double_softmax_floor(C):
    """The lowest loss a double-softmax model can reach, eq. (5): log(1 + (C - 1) / e)."""
    return math.log(1.0 + (_positive(C, "C", integer=True) - 1) / math.e)
# --8<-- [end:double_softmax]
# --8<-- [start:broadcast_mse]


def broadcast_mse(y_hat, y):
    """What F.mse_loss computes for predictions (N, 1) and targets (N,): the mean over all N² pairs, eq. (11)."""
    y_hat, y = np.asarray(y_hat, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if y_hat.ndim != 2 or y_hat.shape[1] != 1 or y.shape != (len(y_hat),):
        raise ValueError(f"broadcast_mse reproduces y_hat of shape (N, 1) against y of shape (N,), got "
                         f"{y_hat.shape} and {y.shape}")
    return float(np.mean((y_hat - y[None, :]) ** 2))        # (N, N): entry (i, j) is y_hat_i - y_j


def broadcast_mse_grad(y_hat, y):
    """dJ/dy_hat (N, 1) = 2 (y_hat - mean(y)) / N, eq. (12): every prediction is pulled to the mean of y."""
    broadcast_mse(y_hat, y)                                  # the same shape checks
    return 2.0 * (np.asarray(y_hat, dtype=np.float64) - np.mean(y)) / len(y)
# --8<-- [end:broadcast_mse]
# --8<-- [start:gradient_norms]


def gradient_norms(model):
    """{parameter name: ‖∂J/∂θ‖₂}, eq. (14), read from .grad after loss.backward()."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be an nn.Module, got {type(model).__name__}")
    norms = {name: float(np.sqrt(np.sum(p.grad.detach().double().numpy() ** 2)))
             for name, p in model.named_parameters() if p.grad is not None}
    if not norms:
        raise ValueError("no parameter has a .grad: call loss.backward() before gradient_norms(model)")
    return norms


def total_norm(norms):
    """‖all gradients as one vector‖₂ = sqrt(Σ ‖g_l‖²): the number clip_grad_norm_ measures."""
    return math.sqrt(sum(v * v for v in norms.values()))
# --8<-- [end:gradient_norms]
# --8<-- [start:dead_units]


def dead_fraction(Z):
    """The share of units (columns of the pre-activations Z (N, m)) that are <= 0 on every example, eq. (16)."""
    Z = np.asarray(Z, dtype=np.float64)
    if Z.ndim != 2 or Z.shape[0] == 0:
        raise ValueError(f"pre-activations Z must have shape (N, m) with N >= 1, got {Z.shape}")
    return float(np.mean(np.all(Z <= 0, axis=0)))


def count_dead(model, X):
    """{name of each nn.ReLU: share of its units that output 0 on every example of X}, via forward hooks."""
    alive, handles = {}, []
    for name, module in model.named_modules():
        if isinstance(module, nn.ReLU):                      # the hook sees the ReLU's output (N, m)
            hook = lambda mod, inputs, out, name=name: alive.update({name: (out > 0).flatten(0, -2).any(dim=0)})  # noqa
            handles.append(module.register_forward_hook(hook))
    with torch.no_grad():
        model(X)
    for handle in handles:
        handle.remove()                                      # hooks stay until removed: always clean up
    return {name: 1.0 - fired.float().mean().item() for name, fired in alive.items()}
# --8<-- [end:dead_units]
# --8<-- [start:nan_hunting]


def assert_finite(name, t):
    """Raise at once, naming what and how many, if the tensor t holds a nan or an inf."""
    bad = (~torch.isfinite(t)).sum().item()
    if bad:
        raise FloatingPointError(f"{name}: {bad} of {t.numel()} values are nan or inf")


def nan_guard(model):
    """Forward hooks that raise at the first module whose output is not finite, naming it. Returns the handles."""
    def hook(name):
        def check(module, inputs, output):
            if isinstance(output, torch.Tensor):
                assert_finite(f"output of module '{name}' ({type(module).__name__})", output)
        return check
    return [module.register_forward_hook(hook(name)) for name, module in model.named_modules() if name]
# --8<-- [end:nan_hunting]
# --8<-- [start:overfit_one_batch]


def overfit_one_batch(model, X, y, steps=150, lr=0.01, loss_fn=F.cross_entropy):
    """Adam on one small batch: a correct model and loss drive the loss to about 0. Returns the last loss."""
    if not 1 <= len(X) <= 64:
        raise ValueError(f"overfit ONE SMALL batch: 1 to 64 examples, got {len(X)}")
    return float(train(model, X, y, steps, lr, loss_fn, adam=True)[-1])


def overfit_harness():
    """One batch of 16, a correct model and two buggy ones: only the correct one gets to about 0."""
    X, y = blobs(16)
    dead = mlp(16, 64, 10)
    nn.init.constant_(dead[0].bias, -10.0)                   # every hidden unit dead, eq. (16)
    models = {"correct": mlp(16, 64, 10), "softmax in the model": nn.Sequential(mlp(16, 64, 10), nn.Softmax(dim=1)),
              "all ReLUs dead": dead}
    return {name: overfit_one_batch(model, X, y) for name, model in models.items()}
# --8<-- [end:overfit_one_batch]
# --8<-- [start:bug_double_softmax]


def bug_double_softmax(steps=150, lr=0.5):
    """Softmax in the model, and again inside F.cross_entropy: the loss floors at eq. (5), gradients shrink."""
    X, y = blobs()
    buggy = nn.Sequential(mlp(16, 32, 10), nn.Softmax(dim=1))      # the bug: the model outputs probabilities
    fixed = mlp(16, 32, 10)                                        # the fix: logits (same seed, same weights)
    result = {"floor log(1 + 9/e), eq. (5)": double_softmax_floor(10)}
    for name, model in [("buggy", buggy), ("fixed", fixed)]:
        F.cross_entropy(model(X), y).backward()
        result[f"{name}: gradient norm at step 0"] = total_norm(gradient_norms(model))
        result[f"{name}: loss after {steps} steps"] = train(model, X, y, steps, lr)[-1]
    return result
# --8<-- [end:bug_double_softmax]
# --8<-- [start:bug_stale_optimizer]


def bug_stale_optimizer(steps=100, lr=0.5):
    """The optimizer holds the parameters of an older copy of the model: nothing learns, the loss sits at ln C."""
    X, y = blobs()

    def new_model():
        model = mlp(16, 32, 10)
        nn.init.zeros_(model[-1].weight), nn.init.zeros_(model[-1].bias)       # logits 0: eq. (2)
        return model
    old = new_model()                   # opt = SGD(model.parameters()), then model = Model() again (say, a
    losses = train(new_model(), X, y, steps, lr, params=old.parameters())   # notebook cell run twice): the bug
    return {"ln C, eq. (2)": uniform_loss(10), "buggy: first and last loss": (losses[0], losses[-1]),
            "fixed: last loss": train(new_model(), X, y, steps, lr)[-1]}
# --8<-- [end:bug_stale_optimizer]
# --8<-- [start:bug_zero_grad]


def accumulated_descent(lam, eta, theta0=1.0, steps=50):
    """Descent on J = λθ²/2 when .grad is never zeroed: θ ← θ - η Σ_s g_s, eqs. (9)-(10); θ_0 ... θ_steps."""
    theta, grad_sum, thetas = float(theta0), 0.0, [float(theta0)]
    for _ in range(_positive(steps, "steps", integer=True)):
        grad_sum += lam * theta                              # backward() adds the new gradient into .grad
        theta -= _positive(eta, "eta") * grad_sum
        thetas.append(theta)
    return np.array(thetas)


def bug_zero_grad(steps=100, lr=0.05):
    """No optimizer.zero_grad(): .grad holds the sum of all past gradients, eq. (9); the loss swings for ever."""
    X, y = regression()
    A = np.c_[X.numpy(), np.ones(len(X))]                          # (N, d + 1): weights and bias
    best = np.mean((A @ np.linalg.lstsq(A, y.numpy(), rcond=None)[0] - y.numpy()) ** 2)
    result = {"lowest possible loss (least squares)": float(best)}
    for name, zero_grad in [("buggy", False), ("fixed", True)]:
        torch.manual_seed(0)
        losses = train(nn.Linear(5, 1), X, y, steps, lr, lambda out, t: F.mse_loss(out.squeeze(1), t), zero_grad)
        result[f"{name}: last loss, max - min of the last 20"] = (losses[-1], np.ptp(losses[-20:]))
    return result
# --8<-- [end:bug_zero_grad]
# --8<-- [start:bug_eval_mode]


def bug_eval_mode(steps=100, lr=0.1):
    """Dropout and batch norm left in training mode at test time: random, worse predictions, and side effects."""
    X, y = blobs(400, sep=1.0, seed=2)
    X_val, y_val = X[200:], y[200:]
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(16, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Dropout(0.5), nn.Linear(64, 10))
    train(model, X[:200], y[:200], steps, lr)
    accuracy = lambda: (model(X_val).argmax(dim=1) == y_val).float().mean().item()     # noqa: E731
    with torch.no_grad():
        model.eval()                                                # the fix
        right = (accuracy(), accuracy())
        mean = model[1].running_mean.clone()
        model.train()                                               # the bug: still in training mode
        changed = (model(X_val).argmax(dim=1) != model(X_val).argmax(dim=1)).float().mean().item()
        noisy = tuple(accuracy() for _ in range(4))
        moved = (model[1].running_mean - mean).abs().max().item()
        try:
            model(X_val[:1])                                        # batch norm in training mode needs a batch
        except ValueError as error:
            one = str(error)
    return {"eval(): accuracy, twice": right, "train(): accuracy, 4 calls": noisy,
            "train(): share of predictions that change between 2 calls": changed,
            "train(): batch-norm running mean moved by": moved, "train(): one example": one}
# --8<-- [end:bug_eval_mode]
# --8<-- [start:bug_targets]


def bug_class_targets():
    """Class indices of the wrong dtype or shape: loud errors. Float (N, C) rows that are not probabilities: silent."""
    Z, y = torch.randn(4, 3, generator=torch.Generator().manual_seed(0)), torch.tensor([0, 2, 1, 0])
    result = {}
    for name, target in [("float32 (N,)", y.float()), ("int32 (N,)", y.int()), ("int64 (N, 1)", y[:, None])]:
        try:
            F.cross_entropy(Z, target)
        except RuntimeError as error:
            result[f"targets {name}"] = str(error)
    twice = 2.0 * F.one_hot(y, 3).float()                          # (N, C) rows summing to 2, not to 1
    result["silent: loss(2 * one_hot) / loss(y)"] = (F.cross_entropy(Z, twice) / F.cross_entropy(Z, y)).item()
    result["fixed: targets y.long() of shape (N,)"] = F.cross_entropy(Z, y.float().long()).item()
    return result


def bug_broadcast_mse(steps=200, lr=0.05):
    """Predictions (N, 1) against targets (N,): F.mse_loss broadcasts to (N, N), warns, and learns the mean."""
    X, y = regression()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        torch.manual_seed(0)
        buggy = nn.Linear(5, 1)
        losses = train(buggy, X, y, steps, lr, F.mse_loss)          # the bug: (N, 1) against (N,)
    torch.manual_seed(0)
    fixed = train(nn.Linear(5, 1), X, y, steps, lr, lambda out, t: F.mse_loss(out.squeeze(1), t))   # the fix
    return {"UserWarning": str(caught[0].message), "buggy: last loss": losses[-1],
            "Var(y), the floor of eq. (11)": y.var(correction=0).item(),
            "buggy: std of the predictions, std of y": (buggy(X).std().item(), y.std().item()),
            "fixed (squeeze(1)): last loss": fixed[-1]}
# --8<-- [end:bug_targets]
# --8<-- [start:bug_lr_too_high]


def first_nonfinite(losses):
    """The index of the first nan or inf in a loss history, or None."""
    bad = np.flatnonzero(~np.isfinite(losses))
    return int(bad[0]) if bad.size else None


def bug_lr_too_high(lr_bad=10.0, lr_good=0.5, steps=40):
    """A learning rate far past the stable range: the loss explodes to inf, then nan; nan_guard names the module."""
    X, y = blobs()
    bad, good = (train(mlp(16, 32, 10), X, y, steps, lr) for lr in (lr_bad, lr_good))
    result = {f"lr {lr_bad:g}, {lr_good:g}: first non-finite loss at step": (first_nonfinite(bad),
                                                                             first_nonfinite(good)),
              f"lr {lr_good:g}: last loss": good[-1]}
    model = mlp(16, 32, 10)
    handles = nan_guard(model)
    try:
        train(model, X, y, steps, lr_bad)
    except FloatingPointError as error:
        result["nan_guard"] = str(error)
    for handle in handles:
        handle.remove()
    return result
# --8<-- [end:bug_lr_too_high]
# --8<-- [start:bug_dead_relu]


def bug_dead_relu(steps=100):
    """Dead ReLUs from a large negative bias or a too-high learning rate, counted with count_dead."""
    X, y = blobs()
    result = {}
    for bias in (0.0, -3.0, -10.0):
        model = mlp(16, 64, 10)
        nn.init.constant_(model[0].bias, bias)                      # bias << 0: most z = x·w + b are < 0
        before = count_dead(model, X)["1"]
        losses = train(model, X, y, steps, 0.5)
        result[f"bias {bias:g}: dead at init, after training; last loss"] = (before, count_dead(model, X)["1"],
                                                                           losses[-1])
    result["H(class frequencies), eq. (3)"] = prior_loss(y.numpy(), 10)
    X, y = regression(N=200, d=16, scale=10.0, seed=1)               # targets of size ~10, not standardized
    for lr in (0.01, 0.2):
        model = mlp(16, 64, 1)
        train(model, X, y, steps, lr, lambda out, t: F.mse_loss(out.squeeze(1), t))
        result[f"regression, lr {lr:g}: dead after training"] = count_dead(model, X)["1"]
    return result
# --8<-- [end:bug_dead_relu]
# --8<-- [start:bug_log_zero]


def bug_log_zero():
    """log(softmax(z)) by hand: a probability that rounds to 0 gives log 0 = -inf and nan gradients."""
    y = torch.tensor([2])
    z = torch.tensor([[30.0, 0.0, -80.0]], requires_grad=True)     # float32; class 2 has probability e^-110
    loss = -torch.log(torch.softmax(z, dim=1))[0, y[0]]            # the bug: softmax rounds to 0, then log
    loss.backward()
    result = {"buggy: softmax(z)": torch.softmax(z, dim=1).tolist()[0], "buggy: loss": loss.item(),
              "buggy: gradient": z.grad.tolist()[0]}
    z.grad = None
    with warnings.catch_warnings(), torch.autograd.set_detect_anomaly(True):
        warnings.simplefilter("ignore")                            # anomaly mode also warns, with a traceback
        try:
            (-torch.log(torch.softmax(z, dim=1))[0, y[0]]).backward()
        except RuntimeError as error:
            result["set_detect_anomaly(True)"] = str(error)
    fixed = F.cross_entropy(z, y)                                  # the fix: log_softmax inside, eq. (7)
    fixed.backward()
    return {**result, "fixed: F.cross_entropy": fixed.item(), "fixed: gradient": z.grad.tolist()[0]}
# --8<-- [end:bug_log_zero]
# --8<-- [start:loss_curves]


def loss_curves(steps=150):
    """Six real runs, one per shape of loss curve: {name: {label: losses per step}}."""
    X, y = blobs(400)
    Xt, yt, val = X[:200], y[:200], (X[200:], y[200:])
    noisy = torch.where(torch.arange(80) % 2 == 0, yt[:80], (yt[:80] + 1) % 10)   # half the labels wrong
    plateau = mlp(16, 32, 32, 32, 10)
    with torch.no_grad():
        for p in plateau.parameters():
            p.mul_(0.4)                                     # small weights: tiny gradients, eq. (15)
    both = lambda run: dict(zip(("training", "validation"), run))                    # noqa: E731
    return {"healthy, lr 0.1": both(train(mlp(16, 32, 10), Xt, yt, steps, 0.1, val=val)),
            "lr too high, 5": {"training": train(mlp(16, 32, 10), Xt, yt, 40, 5.0)},
            "lr too low, 0.005": both(train(mlp(16, 32, 10), Xt, yt, steps, 0.005, val=val)),
            "overfitting": both(train(mlp(16, 128, 10), Xt[:80], noisy, steps, 0.5, val=val)),
            "plateau": {"training": train(plateau, Xt, yt, steps, 0.5)},
            "bugs": {"stale optimizer": np.full(steps, bug_stale_optimizer(steps)["buggy: first and last loss"][1]),
                     "double softmax": train(nn.Sequential(mlp(16, 32, 10), nn.Softmax(dim=1)), Xt, yt, steps, 0.5)}}


def plot_loss_curves():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(2, 3, figsize=(9, 5))
    for ax, (name, curves) in zip(axes.flat, loss_curves().items()):
        for (label, losses), style in zip(curves.items(), ["-", "--"]):
            every = max(1, len(losses) // 30)              # about 30 points per line: a light SVG
            ax.plot(np.arange(len(losses))[::every], losses[::every], style, label=label)
        ax.axhline(math.log(10), color="grey", lw=0.8, ls=":")
        if "high" in name:
            ax.set_yscale("log")
        if name.startswith("bugs"):
            ax.axhline(double_softmax_floor(10), color="C1", lw=0.8, ls=":")
        ax.set_title(name, fontsize=9)
        ax.tick_params(labelsize=7)
        ax.locator_params(axis="x", nbins=4)
        if name[0] in "hb":                                # one legend per kind of panel
            ax.legend(fontsize=7)
    for ax in axes[1]:
        ax.set_xlabel("step", fontsize=8)
    fig.tight_layout()
    return fig
# --8<-- [end:loss_curves]
# --8<-- [start:plot_gradient_norms]


def gradient_norm_profiles(depth=8):
    """‖∂J/∂W‖ of every layer, first to last, for three deep nets at initialization, after one backward pass."""
    X, y = blobs(64)
    widths = (16, *[32] * depth, 10)
    nets = {"sigmoid, He init": mlp(*widths, act=nn.Sigmoid, gain=1.0), "ReLU, He init": mlp(*widths, gain=1.0),
            "ReLU, 2 x He init": mlp(*widths, gain=2.0)}
    profiles = {}
    for name, net in nets.items():
        F.cross_entropy(net(X), y).backward()
        profiles[name] = np.array([v for k, v in gradient_norms(net).items() if k.endswith("weight")])
    return profiles


def plot_gradient_norms():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 3))
    for (name, norms), marker in zip(gradient_norm_profiles().items(), "ovs"):
        ax.semilogy(np.arange(1, len(norms) + 1), norms, marker=marker, label=name)
    ax.set_xlabel("layer (1 = next to the input, 9 = output layer)")
    ax.set_ylabel("gradient norm of the weights")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
# --8<-- [end:plot_gradient_norms]
# --8<-- [start:exercise_init_loss]


def initial_losses(scales=(0.0, 1.0, 10.0, 100.0)):
    """Exercise 1: the loss at step 0 when the output layer's weights and bias are multiplied by each scale."""
    X, y = blobs()
    losses = {}
    for scale in scales:
        model = mlp(16, 32, 10)
        with torch.no_grad():
            model[-1].weight.mul_(scale), model[-1].bias.mul_(scale)
            losses[scale] = F.cross_entropy(model(X), y).item()
    return losses
# --8<-- [end:exercise_init_loss]
# --8<-- [start:exercise_grad_guard]


def grad_guard(model):
    """Exercise 3: backward hooks that raise at the first module whose input gradient is not finite."""
    def hook(name):
        def check(module, grad_input, grad_output):
            for g in grad_input:
                if g is not None:
                    assert_finite(f"gradient into module '{name}' ({type(module).__name__})", g)
        return check
    return [module.register_full_backward_hook(hook(name)) for name, module in model.named_modules() if name]


def hunt_backward_nan():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 3), nn.Softmax(dim=1))
    grad_guard(model)
    with torch.no_grad():
        model[0].weight.mul_(1000.0)                         # logits far apart: a probability rounds to 0
    with warnings.catch_warnings():                          # the first layer's input needs no gradient:
        warnings.simplefilter("ignore")                      # PyTorch warns that its hook sees outputs only
        try:
            (-torch.log(model(torch.tensor([[1.0, -1.0, 0.5]])))).sum().backward()    # log(0): the bug
        except FloatingPointError as error:
            return str(error)
# --8<-- [end:exercise_grad_guard]
# --8<-- [start:exercise_prior]


def dead_network_prior(steps=300, lr=0.5):
    """Exercise 4: with every ReLU dead only the output bias b learns, and softmax(b) tends to the class
    frequencies π: the loss tends to H(π), eq. (3)."""
    X, y = blobs()
    y = torch.minimum(y, y.roll(1))                          # skewed labels: small classes are more frequent
    model = mlp(16, 32, 10)
    nn.init.constant_(model[0].bias, -10.0)                  # every hidden unit dead
    losses = train(model, X, y, steps, lr)
    pi = np.bincount(y.numpy(), minlength=10) / len(y)       # (C,)
    b = model[2].bias.detach().double().numpy()              # (C,)
    return {"π": pi, "softmax(b)": np.exp(b - b.max()) / np.exp(b - b.max()).sum(),
            "last loss, H(π), ln C": (losses[-1], prior_loss(y.numpy(), 10), uniform_loss(10))}
# --8<-- [end:exercise_prior]
# --8<-- [start:check]


def _finite_diff(f, x, h=1e-6):
    """Central differences of the scalar function f at every entry of x."""
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = h
        g[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


def _autograd(f, x):
    x = torch.tensor(x, requires_grad=True)                  # float64 leaf
    f(x).backward()
    return x.grad.numpy()


def _accumulate_torch(lam, eta, steps):
    """The PyTorch side of accumulated_descent: backward() every step and no zero_grad."""
    theta, thetas = torch.tensor(1.0, dtype=torch.float64, requires_grad=True), [1.0]
    for _ in range(steps):
        (lam * theta ** 2 / 2).backward()                    # adds into theta.grad
        with torch.no_grad():
            theta -= eta * theta.grad
        thetas.append(theta.item())
    return thetas


def check():
    """Print, for every from-scratch function, the max |difference| against PyTorch (float64)."""
    rng = np.random.default_rng(0)
    Z, y, y_hat, r = rng.normal(size=(6, 4)), rng.integers(0, 4, 6), rng.normal(size=(5, 1)), rng.normal(size=5)
    yt, t = torch.tensor(y), torch.tensor
    ce, ds = (lambda v: F.cross_entropy(v, yt)), (lambda v: F.cross_entropy(v.softmax(dim=1), yt))
    mse = lambda v: F.mse_loss(v, t(r))                      # noqa: E731  (N, 1) against (N,): on purpose
    model, X = mlp(16, 32, 32, 10).double(), t(rng.normal(size=(8, 16)))
    F.cross_entropy(model(X), yt[:4].repeat(2)).backward()
    norms, grads = gradient_norms(model), [p.grad for p in model.parameters()]
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Using a target size")              # the broadcast warning
        rows = [("log_softmax", log_softmax(Z), "F.log_softmax", F.log_softmax(t(Z), dim=1)),
                ("cross_entropy", cross_entropy(Z, y), "F.cross_entropy", ce(t(Z))),
                ("cross_entropy_grad", cross_entropy_grad(Z, y), "autograd", _autograd(ce, Z)),
                ("double_softmax_loss", double_softmax_loss(Z, y), "F.cross_entropy(softmax)", ds(t(Z))),
                ("double_softmax_grad", double_softmax_grad(Z, y), "autograd", _autograd(ds, Z)),
                ("broadcast_mse", broadcast_mse(y_hat, r), "F.mse_loss((N, 1), (N,))", mse(t(y_hat))),
                ("broadcast_mse_grad", broadcast_mse_grad(y_hat, r), "autograd", _autograd(mse, y_hat)),
                ("prior_loss", prior_loss(y, 4), "CE of log(class frequencies)",
                 F.cross_entropy((torch.bincount(yt, minlength=4).double() / 6).log().expand(6, 4), yt)),
                ("accumulated_descent", accumulated_descent(2.0, 0.3, steps=20), "backward(), no zero_grad",
                 _accumulate_torch(2.0, 0.3, 20)),
                ("gradient_norms", list(norms.values()), "torch.linalg.vector_norm",
                 [torch.linalg.vector_norm(g) for g in grads]),
                ("total_norm", total_norm(norms), "nn.utils.get_total_norm", nn.utils.get_total_norm(grads)),
                ("dead_fraction", dead_fraction(model[0](X).detach()), "count_dead (forward hooks)",
                 count_dead(model, X)["1"])]
    print(f"{'from scratch':20} {'PyTorch':29} max |diff|")
    for ours, a, name, b in rows:
        print(f"{ours:20} {name:29} {np.max(np.abs(np.asarray(a, dtype=float) - np.asarray(b, dtype=float))):.1e}")
    print(f"\n{'hand-derived gradient':20} {'vs central finite differences':29}")
    for name, grad, loss, x, target in [("cross_entropy_grad", cross_entropy_grad, cross_entropy, Z, y),
                                        ("double_softmax_grad", double_softmax_grad, double_softmax_loss, Z, y),
                                        ("broadcast_mse_grad", broadcast_mse_grad, broadcast_mse, y_hat, r)]:
        print(f"{name:20} {'':29} {np.max(np.abs(grad(x, target) - _finite_diff(lambda v: loss(v, target), x))):.1e}")
    Z = np.array([[1e4, -1e4, 0.0]])
    with np.errstate(all="ignore"):
        naive = -np.log(np.exp(Z[0, 1]) / np.exp(Z).sum())
    print(f"\nlogits (1e4, -1e4, 0), y = 1: cross_entropy {cross_entropy(Z, [1]):.1f}, F.cross_entropy "
          f"{F.cross_entropy(t(Z), t([1])).item():.1f}, naive -log(softmax) {naive}")
# --8<-- [end:check]


def show(result):
    for key, value in result.items():
        value = value if isinstance(value, tuple) else (value,)
        print(f"  {key}: " + ", ".join(f"{v:.4g}" if isinstance(v, float) else str(v) for v in value))


GALLERY = {"double_softmax": bug_double_softmax, "stale_optimizer": bug_stale_optimizer, "zero_grad": bug_zero_grad,
           "eval_mode": bug_eval_mode, "class_targets": bug_class_targets, "broadcast_mse": bug_broadcast_mse,
           "lr_too_high": bug_lr_too_high, "dead_relu": bug_dead_relu, "log_zero": bug_log_zero,
           "overfit_one_batch": overfit_harness,
           "gradient_norms": lambda: {name: tuple(norms) for name, norms in gradient_norm_profiles().items()}}


if __name__ == "__main__":
    args = sys.argv[1:]
    if "--check" in args:
        check()
    elif "--bug" in args:
        show(GALLERY[args[-1]]())
    elif args[:1] == ["--exercise"] and args[-1] == "1":
        show({f"output layer x {s:g}: loss at step 0": v for s, v in initial_losses().items()})
    elif args[:1] == ["--exercise"] and args[-1] == "2":
        print("  θ_t for ηλ = 1:", accumulated_descent(1.0, 1.0, steps=12).round(6))
    elif args[:1] == ["--exercise"] and args[-1] == "3":
        print(f"  FloatingPointError: {hunt_backward_nan()}")
    elif args[:1] == ["--exercise"] and args[-1] == "4":
        show({k: tuple(v.round(3)) if isinstance(v, np.ndarray) else v for k, v in dead_network_prior().items()})
    else:
        # --8<-- [start:demo]
        for name, bug in GALLERY.items():
            print(f"{name}:")
            show(bug())
        # --8<-- [end:demo]
