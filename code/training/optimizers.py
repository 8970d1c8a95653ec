"""Optimizers from scratch in NumPy, matching torch.optim parameter for parameter.

SGD (weight decay, momentum with dampening, Nesterov), AdaGrad, RMSProp (momentum, centered), Adam (bias
correction, AMSGrad) and AdamW (decoupled weight decay): small classes that update float64 arrays in place,
as torch.optim updates tensors. A small MLP to train, an ill-conditioned valley with the heavy-ball analysis.

Page: docs/training/optimizers.md (topic 11). Papers: Polyak (1964); Nesterov (1983); Sutskever, Martens, Dahl
& Hinton (2013); Duchi, Hazan & Singer (2011), AdaGrad; Tieleman & Hinton (2012), RMSProp; Kingma & Ba (2015),
Adam; Reddi, Kale & Kumar (2018), AMSGrad; Loshchilov & Hutter (2019), decoupled weight decay.

    python code/training/optimizers.py      every optimizer on one valley, aligned and rotated; other demos:
    --train, --torch, --pitfalls, --exercise 1|2|3|4, --check (against torch.optim)
"""
import sys  # only the command line below uses it

# --8<-- [start:imports]
import numpy as np
# --8<-- [end:imports]
# --8<-- [start:torch_imports]
import torch
# --8<-- [end:torch_imports]
# --8<-- [start:validation]


def _check(name, value, low, high=np.inf, closed=True):
    """A hyperparameter must be a real number in [low, high), or in (low, high) when closed=False."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    if not ((value >= low if closed else value > low) and value < high):     # nan fails both tests
        raise ValueError(f"{name} must be in {'[' if closed else '('}{low}, {high}), got {value}")
    return float(value)


class Optimizer:
    """What every optimizer below shares with torch.optim.Optimizer: a list of parameter arrays that
    step(grads) updates IN PLACE, a step counter t (1 at the first step, eq. (13)), and one dict of state
    per parameter (velocity, moments), filled at the first step."""

    def __init__(self, params, lr):
        self.params = list(params)
        for i, w in enumerate(self.params):
            if not (isinstance(w, np.ndarray) and w.dtype == np.float64):
                raise TypeError(f"params[{i}] must be a float64 NumPy array (it is updated in place), "
                                f"got {type(w).__name__} of dtype {getattr(w, 'dtype', None)}")
        self.lr, self.t = _check("lr", lr, 0.0), 0
        self.state = [{} for _ in self.params]

    def step(self, grads):
        """One update of every parameter from its gradient dJ/dw (one array per parameter, same shape)."""
        grads = [np.asarray(g, dtype=np.float64) for g in grads]
        if [g.shape for g in grads] != [w.shape for w in self.params]:
            raise ValueError(f"grads must have the parameters' shapes {[w.shape for w in self.params]}, "
                             f"got {[g.shape for g in grads]}")
        if not all(np.all(np.isfinite(g)) for g in grads):    # one nan would spread to every later step
            raise ValueError("grads must be finite; got inf or nan (lower the learning rate, check the loss)")
        self.t += 1
        for w, g, state in zip(self.params, grads, self.state):
            self.update(w, g, state)
# --8<-- [end:validation]
# --8<-- [start:sgd]


class SGD(Optimizer):
    """torch.optim.SGD: eq. (1) (weight decay added to the gradient), eq. (2) (momentum, with dampening),
    eq. (7) (nesterov=True)."""

    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
        super().__init__(params, lr)
        self.mu = _check("momentum", momentum, 0.0, 1.0)        # mu >= 1 never forgets: no convergence
        self.tau = _check("dampening", dampening, 0.0, 1.0)
        self.lam = _check("weight_decay", weight_decay, 0.0)
        if nesterov and (self.mu == 0 or self.tau != 0):
            raise ValueError("nesterov=True needs momentum in (0, 1) and dampening = 0, "
                             f"got momentum = {momentum}, dampening = {dampening}")
        self.nesterov = nesterov

    def update(self, w, g, state):
        if self.lam:
            g = g + self.lam * w                       # L2: the gradient of lam/2 ||w||^2 joins g, eq. (1)
        if self.mu:
            if "v" not in state:
                state["v"] = g.copy()                  # v_1 = g_1: torch skips the dampening at step 1
            else:
                state["v"] = self.mu * state["v"] + (1 - self.tau) * g           # eq. (2)
            g = g + self.mu * state["v"] if self.nesterov else state["v"]       # eq. (7) or eq. (2)
        w -= self.lr * g                               # in place, as param.add_(g, alpha=-lr)
# --8<-- [end:sgd]
# --8<-- [start:adagrad]


class Adagrad(Optimizer):
    """torch.optim.Adagrad, eq. (9): each coordinate's step is divided by the root of the SUM of all of its
    squared gradients so far, so its learning rate only ever shrinks."""

    def __init__(self, params, lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0,
                 eps=1e-10):
        super().__init__(params, lr)
        self.delta = _check("lr_decay", lr_decay, 0.0)
        self.lam = _check("weight_decay", weight_decay, 0.0)
        self.s0 = _check("initial_accumulator_value", initial_accumulator_value, 0.0)
        self.eps = _check("eps", eps, 0.0, closed=False)        # eps > 0, or a zero gradient gives 0/0

    def update(self, w, g, state):
        if self.lam:
            g = g + self.lam * w
        s = state.setdefault("s", np.full_like(w, self.s0))
        s += g ** 2                                              # s_t = s_{t-1} + g_t^2, eq. (9)
        lr_t = self.lr / (1 + (self.t - 1) * self.delta)         # eq. (9); lr_decay = 0 keeps lr
        w -= lr_t * (g / (np.sqrt(s) + self.eps))                # eps OUTSIDE the root
# --8<-- [end:adagrad]
# --8<-- [start:rmsprop]


class RMSprop(Optimizer):
    """torch.optim.RMSprop, eq. (10): divide by the root of a moving AVERAGE of squared gradients (no bias
    correction). momentum > 0 adds a velocity on top; centered=True subtracts the squared mean gradient."""

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                 centered=False):
        super().__init__(params, lr)
        self.alpha = _check("alpha", alpha, 0.0, 1.0)
        self.eps = _check("eps", eps, 0.0, closed=False)
        self.lam = _check("weight_decay", weight_decay, 0.0)
        self.mu = _check("momentum", momentum, 0.0, 1.0)
        self.centered = centered

    def update(self, w, g, state):
        if self.lam:
            g = g + self.lam * w
        if not state:
            state.update(v=np.zeros_like(w), g_bar=np.zeros_like(w), b=np.zeros_like(w))
        v = state["v"] = self.alpha * state["v"] + (1 - self.alpha) * g ** 2     # eq. (10)
        if self.centered:                              # a variance instead of a second moment
            state["g_bar"] = state["g_bar"] + (1 - self.alpha) * (g - state["g_bar"])
            v = v - state["g_bar"] ** 2
        step = g / (np.sqrt(v) + self.eps)             # eps OUTSIDE the root, added to sqrt(v)
        if self.mu:
            step = state["b"] = self.mu * state["b"] + step
        w -= self.lr * step
# --8<-- [end:rmsprop]
# --8<-- [start:adam]


class Adam(Optimizer):
    """torch.optim.Adam, eqs. (11)-(14): moving averages of g and g^2, both bias-corrected, eps added AFTER
    the root. Its weight_decay is L2 (added to g, then divided by sqrt(v) with it); amsgrad=True divides by
    the largest v so far."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False):
        super().__init__(params, lr)
        if not (isinstance(betas, (tuple, list)) and len(betas) == 2):
            raise ValueError(f"betas must be a pair (beta1, beta2), each in [0, 1), got {betas!r}")
        self.beta1, self.beta2 = (_check(f"betas[{i}]", b, 0.0, 1.0) for i, b in enumerate(betas))
        self.eps = _check("eps", eps, 0.0, closed=False)
        self.lam = _check("weight_decay", weight_decay, 0.0)
        self.amsgrad = amsgrad

    def decay(self, w, g):
        """Adam's weight decay is L2: lam w joins the gradient, eq. (1)."""
        return g + self.lam * w if self.lam else g

    def update(self, w, g, state):
        g = self.decay(w, g)
        if not state:
            state.update(m=np.zeros_like(w), v=np.zeros_like(w), v_max=np.zeros_like(w))
        m = state["m"] = self.beta1 * state["m"] + (1 - self.beta1) * g           # eq. (11)
        v = state["v"] = self.beta2 * state["v"] + (1 - self.beta2) * g ** 2      # eq. (11)
        if self.amsgrad:
            v = state["v_max"] = np.maximum(state["v_max"], v)
        m_hat = m / (1 - self.beta1 ** self.t)          # bias correction, eq. (14), from eq. (13)
        v_hat = v / (1 - self.beta2 ** self.t)
        w -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)                        # eq. (14)
# --8<-- [end:adam]
# --8<-- [start:adamw]


class AdamW(Adam):
    """torch.optim.AdamW, eq. (17): Adam with DECOUPLED weight decay, w <- (1 - lr lam) w, then the Adam
    step of the loss gradient alone (computed before the shrink). torch's default weight_decay is 1e-2."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)

    def decay(self, w, g):
        w *= 1 - self.lr * self.lam                     # shrink toward 0, never divided by sqrt(v)
        return g
# --8<-- [end:adamw]
# --8<-- [start:mlp]


def mlp_problem(seed=0, N=16):
    """A small regression for the optimizers to train: a 3 -> 5 -> 2 tanh network on N examples. Four
    parameter arrays of different shapes, W1 (5, 3), b1 (5,), W2 (2, 5), b2 (2,)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(N, 3))                                             # (N, 3)
    Y = np.stack([np.sin(X[:, 0] + X[:, 1]), X[:, 0] * X[:, 2]], axis=1)    # (N, 2)
    params = [0.5 * rng.normal(size=(5, 3)), 0.1 * rng.normal(size=5),
              0.5 * rng.normal(size=(2, 5)), 0.1 * rng.normal(size=2)]
    return X, Y, params


def mlp_loss_grads(params, X, Y):
    """J = mean((Y_hat - Y)^2) and its gradient for each parameter, by backpropagation."""
    W1, b1, W2, b2 = params
    H = np.tanh(X @ W1.T + b1)                                  # (N, 5)
    Y_hat = H @ W2.T + b2                                       # (N, 2)
    dY = 2 * (Y_hat - Y) / Y.size                               # (N, 2) dJ/dY_hat
    dZ = (dY @ W2) * (1 - H ** 2)                               # (N, 5) through tanh' = 1 - tanh^2
    return np.mean((Y_hat - Y) ** 2), [dZ.T @ X, dZ.sum(0), dY.T @ H, dY.sum(0)]
# --8<-- [end:mlp]
# --8<-- [start:train]


OPTIMIZERS = {"SGD": SGD, "Adagrad": Adagrad, "RMSprop": RMSprop, "Adam": Adam, "AdamW": AdamW}


def train(name, steps=150, seed=0, **hyper):
    """Train the MLP with OPTIMIZERS[name]; the loss per step (steps,) and the parameters, flattened and
    concatenated, before and after every step (steps + 1, P)."""
    X, Y, params = mlp_problem(seed)
    opt = OPTIMIZERS[name](params, **hyper)
    losses, path = [], [np.concatenate([w.ravel() for w in params])]
    for _ in range(steps):
        loss, grads = mlp_loss_grads(params, X, Y)
        opt.step(grads)                                         # updates the arrays in `params`
        losses.append(loss)
        path.append(np.concatenate([w.ravel() for w in params]))
    return np.array(losses), np.array(path)
# --8<-- [end:train]
# --8<-- [start:torch_train]


def train_torch(name, steps=150, seed=0, **hyper):
    """The same run with torch.optim.<name> and autograd, from the same starting parameters."""
    X, Y, params = mlp_problem(seed)
    X, Y = torch.from_numpy(X), torch.from_numpy(Y)
    params = [torch.tensor(w, requires_grad=True) for w in params]          # float64 leaf tensors
    W1, b1, W2, b2 = params
    opt = getattr(torch.optim, name)(params, **hyper)
    losses, path = [], [torch.cat([w.detach().flatten() for w in params])]
    for _ in range(steps):
        opt.zero_grad()
        loss = ((torch.tanh(X @ W1.T + b1) @ W2.T + b2 - Y) ** 2).mean()
        loss.backward()                                         # fills w.grad for all four tensors
        opt.step()
        losses.append(loss.item())
        path.append(torch.cat([w.detach().flatten() for w in params]))
    return np.array(losses), torch.stack(path).numpy()
# --8<-- [end:torch_train]
# --8<-- [start:valley]


def rotation(angle):
    """The 2-D rotation by `angle` radians, (2, 2)."""
    return np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])


def valley(kappa=50.0, angle=0.0):
    """H of the valley J(w) = 1/2 w^T H w: curvatures 1 and kappa along the axes rotated by `angle`."""
    return rotation(angle) @ np.diag([1.0, kappa]) @ rotation(angle).T    # (2, 2)


def run_path(name, H, w0, steps, **hyper):
    """The iterates of OPTIMIZERS[name] on J = 1/2 w^T H w, whose gradient is H w: (steps + 1, 2)."""
    w = np.array(w0, dtype=np.float64)
    opt, path = OPTIMIZERS[name]([w], **hyper), [w.copy()]
    for _ in range(steps):
        opt.step([H @ w])
        path.append(w.copy())
    return np.array(path)


def step_sizes(name, steps, **hyper):
    """|w_t - w_{t-1}|, t = 1 .. steps, when the gradient is 1 at every step: how the step evolves."""
    w = np.zeros(1)
    opt, path = OPTIMIZERS[name]([w], **hyper), [0.0]
    for _ in range(steps):
        opt.step([np.ones(1)])
        path.append(w[0])
    return np.abs(np.diff(path))                                # (steps,)


def tune(name, H, w0, steps, momenta=(0.0,), **hyper):
    """A coarse grid search, as people do: the lr in 10^[-3, 0] (and momentum in `momenta`) whose losses
    over all `steps` have the smallest mean logarithm (fast all the way, not only at the end)."""
    best, best_score = None, np.inf
    for mu in momenta:
        for lr in np.logspace(-3, 0, 13):
            grid = {"lr": float(lr), **({"momentum": mu} if mu else {})}
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                try:
                    path = run_path(name, H, w0, steps, **grid, **hyper)        # (steps + 1, 2)
                except ValueError:                              # it diverged: the gradient overflowed
                    continue
                score = np.mean(np.log(0.5 * np.einsum("ti,ij,tj->t", path, H, path)))   # mean log loss
            if score < best_score:                              # False for a nan score
                best, best_score = grid, score
    return best
# --8<-- [end:valley]
# --8<-- [start:heavy_ball]


def heavy_ball_params(lam_min, lam_max):
    """Eq. (6): the learning rate and momentum with which every direction shrinks at the same, best rate
    sqrt(mu) = (sqrt(kappa) - 1) / (sqrt(kappa) + 1)."""
    a, b = np.sqrt(lam_min), np.sqrt(lam_max)
    return 4 / (a + b) ** 2, ((b - a) / (b + a)) ** 2


def heavy_ball_rate(lr, mu, lam):
    """The largest |r| with r^2 - (1 + mu - lr lam) r + mu = 0, eq. (5): the factor by which the error
    along a direction of curvature lam shrinks per step (in the long run)."""
    return float(np.max(np.abs(np.roots([1.0, -(1 + mu - lr * lam), mu]))))
# --8<-- [end:heavy_ball]
# --8<-- [start:ex_nesterov]


def nesterov_lookahead(grad_fn, w0, lr, mu, steps):
    """Exercise 1: Nesterov momentum as Sutskever et al. write it, eq. (8), with the gradient taken at the
    look-ahead point w + mu u. Returns the look-ahead points w_t + mu u_t, (steps + 1, *w0.shape)."""
    w = np.array(w0, dtype=np.float64)
    u = np.zeros_like(w)                                        # the velocity, u_0 = 0
    ahead = [w.copy()]
    for _ in range(steps):
        u = mu * u - lr * grad_fn(w + mu * u)
        w = w + u
        ahead.append(w + mu * u)
    return np.array(ahead)
# --8<-- [end:ex_nesterov]
# --8<-- [start:ex_bias]


def adam_step_sizes(steps, lr=1e-3, betas=(0.9, 0.999), correct=True):
    """Exercise 2: |step| of Adam (eps = 0) when the gradient is the same number every step, with and
    without the bias correction of eq. (14), (steps,)."""
    beta1, beta2 = betas
    m = v = 0.0
    sizes = []
    for t in range(1, steps + 1):
        m, v = beta1 * m + (1 - beta1), beta2 * v + (1 - beta2)     # eq. (11) with g_t = g_t^2 = 1
        c1, c2 = (1 - beta1 ** t, 1 - beta2 ** t) if correct else (1.0, 1.0)
        sizes.append(lr * (m / c1) / np.sqrt(v / c2))
    return np.array(sizes)
# --8<-- [end:ex_bias]
# --8<-- [start:ex_momentum]


def steps_to_shrink(name, H, w0, factor, max_steps=10_000, **hyper):
    """Exercise 3: the first step t with ||w_t|| <= factor * ||w_0|| on J = 1/2 w^T H w (minimum at 0)."""
    w = np.array(w0, dtype=np.float64)
    opt, target = OPTIMIZERS[name]([w], **hyper), factor * np.linalg.norm(w)
    for t in range(1, max_steps + 1):
        opt.step([H @ w])
        if np.linalg.norm(w) <= target:
            return t
    return None
# --8<-- [end:ex_momentum]
# --8<-- [start:ex_scale]


def scaled_run(name, c, eps=None, steps=100, **hyper):
    """Exercise 4: train the MLP on the gradients of the loss c J (every gradient times c); the final
    parameters, (32,). Adam-type optimizers give the same path for (c, eps) and (1, eps / c), eq. (15)."""
    X, Y, params = mlp_problem()
    opt = OPTIMIZERS[name](params, **hyper, **({"eps": eps} if eps else {}))
    for _ in range(steps):
        opt.step([c * g for g in mlp_loss_grads(params, X, Y)[1]])
    return np.concatenate([w.ravel() for w in params])
# --8<-- [end:ex_scale]
# --8<-- [start:torch_groups]


def adamw_param_groups(model, weight_decay=0.1):
    """The usual AdamW set-up for transformers: decay the weight matrices, not the biases and the
    normalization gains (the 1-D tensors), whose size is not what overfits."""
    params = list(model.parameters())
    return [{"params": [p for p in params if p.ndim >= 2], "weight_decay": weight_decay},
            {"params": [p for p in params if p.ndim < 2], "weight_decay": 0.0}]
# --8<-- [end:torch_groups]
# --8<-- [start:example]


def valley_runs(kappa=50.0, steps=50, w0=(-4.0, 1.0)):
    """Every optimizer on the aligned valley and on the valley rotated by 45 degrees, started from the same
    point relative to the valley; each with the hyperparameters that `tune` picks for that valley."""
    setups = [("gradient descent", "SGD", {}), ("momentum", "SGD", {"momenta": (0.5, 0.7, 0.9)}),
              ("Nesterov", "SGD", {"momenta": (0.5, 0.7, 0.9), "nesterov": True}),
              ("AdaGrad", "Adagrad", {}), ("RMSProp", "RMSprop", {}), ("Adam", "Adam", {})]
    runs = {}
    for angle in (0.0, np.pi / 4):
        H, start = valley(kappa, angle), rotation(angle) @ np.array(w0)
        for label, name, hyper in setups:
            best = tune(name, H, start, steps, **hyper)                          # {"lr": ..., "momentum": ...}
            extra = {k: v for k, v in hyper.items() if k != "momenta"}
            runs[label, angle] = (best, run_path(name, H, start, steps, **best, **extra))
    return runs
# --8<-- [end:example]


def plot_paths():
    """Left: gradient descent and momentum on the valley. Right: the adaptive optimizers on the aligned
    valley (solid) and on the rotated one (dashed, turned back into the valley's own axes)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    runs = valley_runs()
    fig, axes = plt.subplots(1, 2, figsize=(7, 3.1), sharey=True)
    xs, ys = np.linspace(-4.5, 1.5, 41), np.linspace(-1.6, 1.6, 31)
    Z = 0.5 * (xs[None, :] ** 2 + 50.0 * ys[:, None] ** 2)                      # (31, 41) the aligned valley
    for i, (label, angle) in enumerate(k for k in runs if k[1] == 0.0):
        ax = axes[0] if i < 3 else axes[1]
        for a, style in ((0.0, "-"), (np.pi / 4, "--")):
            if a == 0.0 or i >= 3:                               # GD and momentum: rotation changes nothing
                path = runs[label, a][1] @ rotation(a)                              # rows R^T w
                ax.plot(path[:, 0], path[:, 1], style, color=f"C{i}", lw=1.1 if a == 0.0 else 0.8,
                        marker="." if i < 3 else None, ms=2.5, zorder=3 if a == 0.0 else 2,
                        label=label if a == 0.0 else None)
    for ax, title in zip(axes, ("gradient descent and momentum", "adaptive: aligned —, rotated 45° --")):
        ax.contour(xs, ys, Z, levels=[0.5, 2, 8, 20, 40], colors="0.8", linewidths=0.6)
        ax.plot(0, 0, "k*", ms=7)
        ax.set(xlim=(xs[0], xs[-1]), ylim=(ys[0], ys[-1]), xlabel="$w_1$ (curvature 1)", title=title)
        ax.legend(fontsize=7, loc="lower left")
        ax.title.set_fontsize(9)
    axes[0].set_ylabel("$w_2$ (curvature 50)")
    fig.tight_layout()
    return fig


CONFIGS = [  # (torch.optim name, options): every option the classes above implement
    ("SGD", {"lr": 0.1}), ("SGD", {"lr": 0.1, "weight_decay": 0.01}), ("SGD", {"lr": 0.05, "momentum": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.5, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}), ("Adagrad", {"lr": 0.1}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.01, "initial_accumulator_value": 0.1}),
    ("RMSprop", {"lr": 0.01}), ("RMSprop", {"lr": 0.01, "momentum": 0.9, "weight_decay": 0.01}),
    ("RMSprop", {"lr": 0.01, "centered": True}), ("Adam", {"lr": 0.01}),
    ("Adam", {"lr": 0.01, "betas": (0.8, 0.99), "weight_decay": 0.01, "amsgrad": True}),
    ("AdamW", {"lr": 0.01}), ("AdamW", {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True})]


def check():
    """Max |difference| between each from-scratch optimizer and torch.optim over 150 steps on the MLP."""
    print(f"{'150 steps on the MLP (4 tensors, 32 numbers)':84} {'max |ours - torch|':>18} {'relative':>9}")
    for name, hyper in CONFIGS:
        ours, theirs = train(name, **hyper)[1], train_torch(name, **hyper)[1]      # (151, 32) each
        diff, options = np.abs(ours - theirs).max(), ", ".join(f"{k}={v}" for k, v in hyper.items())
        print(f"{name + '(' + options + ')':84} {diff:18.1e} {diff / np.abs(theirs).max():9.1e}")
    X, Y, params = mlp_problem()
    tensors = [torch.tensor(w, requires_grad=True) for w in params]
    W1, b1, W2, b2 = tensors
    ((torch.tanh(torch.from_numpy(X) @ W1.T + b1) @ W2.T + b2 - torch.from_numpy(Y)) ** 2).mean().backward()
    diff = max(np.abs(g - t.grad.numpy()).max() for g, t in zip(mlp_loss_grads(params, X, Y)[1], tensors))
    print(f"the MLP's gradients (backpropagation) vs torch.autograd: max |difference| {diff:.1e}")


def pitfalls():
    """The classic mistakes, one numbered line each (the page's Pitfalls list cites them)."""
    print("1. the MLP's loss at steps 1 and 300, and its range over the last 50 steps:")
    for name, lr in [("SGD", 1e-3), ("Adam", 0.1), ("Adam", 1.0), ("Adam", 3.0)]:
        L = train(name, steps=300, lr=lr)[0]
        print(f"   {name}(lr={lr}): {L[0]:.3f} -> {L[-1]:.4f}, last 50 in [{L[-50:].min():.4f}, {L[-50:].max():.4f}]")
    sizes = step_sizes("SGD", 100, lr=0.01, momentum=0.9)
    print(f"2. SGD(lr=0.01, momentum=0.9), constant gradient 1: step 1 = {sizes[0]:.4f}, step 100 = {sizes[-1]:.4f}")
    for name, lam in [("Adam", 1e-4), ("Adam", 0.1), ("AdamW", 1e-4), ("AdamW", 0.1)]:
        w = run_path(name, np.zeros((1, 1)), [1.0], 50, lr=0.01, weight_decay=lam)[-1, 0]   # J = 0
        print(f"3. {name}(lr=0.01, weight_decay={lam}), zero loss gradient, 50 steps: w = 1 -> {w:.4f}")
    for name in ("RMSprop", "Adam"):                            # gradients H w0 = 1e-3, 1e-1, 1, 1e2
        w = run_path(name, np.diag([1e-3, 1e-1, 1.0, 1e2]), np.ones(4), 1, lr=0.01)[-1]
        print(f"4. first {name}(lr=0.01) step, gradients from 1e-3 to 1e2: |change| / lr = "
              f"{np.array2string(np.abs(w - 1) / 0.01, precision=4)}")
    sizes = step_sizes("Adagrad", 2500, lr=0.1)
    print(f"5. Adagrad(lr=0.1), constant gradient 1: step 1 = {sizes[0]:.4f}, step 100 = {sizes[99]:.4f}, "
          f"step 2500 = {sizes[-1]:.4f}")
    X, Y, params = mlp_problem()
    opt = Adam(params, lr=0.01)
    for _ in range(100):
        opt.step(mlp_loss_grads(params, X, Y)[1])
    grads, saved = mlp_loss_grads(params, X, Y)[1], [w.copy() for w in params]      # the "checkpoint"
    for label, resumed in (("its own state", opt), ("a fresh Adam", Adam(params, lr=0.01))):
        for w, w_saved in zip(params, saved):
            w[...] = w_saved
        resumed.step(grads)
        moved = np.concatenate([np.abs(w - w_saved).ravel() for w, w_saved in zip(params, saved)]) / 0.01
        print(f"6. Adam resumed after 100 steps with {label}: the next step moves the 32 weights by "
              f"{np.median(moved):.3f} x lr (median), {moved.min():.3f} x lr (smallest)")
    w = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([w], lr=0.01, eps=0.0)
    (0 * w).sum().backward()                                    # a gradient of exactly zero
    opt.step()
    try:
        Adam([np.zeros(1)], eps=0)
    except ValueError as error:
        print(f"7. 1e-8 in float16 is {torch.tensor(1e-8, dtype=torch.float16).item()}; torch.optim.Adam(eps=0) "
              f"on a zero gradient gives w = {w.detach().numpy()}; ours raises ValueError: {error}")


def exercises(n):
    """The printed part of Exercises 1-4."""
    if n == "1":
        # --8<-- [start:demo_ex1]
        H, w0 = valley(25.0, 0.3), np.array([-4.0, 1.2])
        ahead = nesterov_lookahead(lambda w: H @ w, w0, lr=0.05, mu=0.8, steps=150)
        ours = run_path("SGD", H, w0, 150, lr=0.05, momentum=0.8, nesterov=True)   # = torch, see Check it
        print(f"max |look-ahead points of eq. (8) - SGD(nesterov=True)| over 150 steps: {np.abs(ahead - ours).max():.1e}")
        # --8<-- [end:demo_ex1]
    elif n == "2":
        # --8<-- [start:demo_ex2]
        with_c, without = adam_step_sizes(5000), adam_step_sizes(5000, correct=False)
        print("step t   |step| / lr with correction   without   (1 - beta1^t) / sqrt(1 - beta2^t)")
        for t in [1, 2, 5, 10, 20, 100, 1000, 5000]:
            formula = (1 - 0.9 ** t) / np.sqrt(1 - 0.999 ** t)
            print(f"{t:<8} {with_c[t - 1] / 1e-3:<29.4f} {without[t - 1] / 1e-3:<9.4f} {formula:.4f}")
        # --8<-- [end:demo_ex2]
    elif n == "3":
        # --8<-- [start:demo_ex3]
        kappa, factor = 100.0, 1e-6
        H, w0 = valley(kappa), np.array([1.0, 1.0])
        lr_hb, mu = heavy_ball_params(1.0, kappa)
        for label, rate, hyper in [("gradient descent", (kappa - 1) / (kappa + 1), {"lr": 2 / (1 + kappa)}),
                                   ("heavy ball", np.sqrt(mu), {"lr": lr_hb, "momentum": mu})]:
            print(f"{label:17} rate {rate:.4f}: ln(1e6) / ln(1/rate) = {np.log(1 / factor) / np.log(1 / rate):6.1f}"
                  f" steps predicted, {steps_to_shrink('SGD', H, w0, factor, **hyper)} taken")
        # --8<-- [end:demo_ex3]
    else:
        # --8<-- [start:demo_ex4]
        for name, hyper in [("Adam", {"lr": 0.01}), ("RMSprop", {"lr": 0.01}), ("Adagrad", {"lr": 0.1})]:
            a, b = scaled_run(name, 1024.0, eps=1e-8, **hyper), scaled_run(name, 1.0, eps=1e-8 / 1024, **hyper)
            print(f"{name:8} loss x 1024 vs eps / 1024, 100 steps: max |difference| {np.abs(a - b).max():.1e}")
        a, b = scaled_run("SGD", 1024.0, lr=0.1 / 1024), scaled_run("SGD", 1.0, lr=0.1 / 1024)
        print(f"SGD      loss x 1024 vs loss x 1, 100 steps: max |difference| {np.abs(a - b).max():.1e}")
        # --8<-- [end:demo_ex4]


if __name__ == "__main__":
    args = sys.argv[1:]
    if "--check" in args:
        check()
    elif "--pitfalls" in args:
        pitfalls()
    elif "--exercise" in args:
        exercises(args[args.index("--exercise") + 1])
    elif "--torch" in args:
        # --8<-- [start:loop_numpy]
        X, Y, params = mlp_problem()                            # W1 (5, 3), b1 (5,), W2 (2, 5), b2 (2,)
        optimizer = AdamW(params, lr=0.01, weight_decay=0.01)
        for step in range(150):
            loss, grads = mlp_loss_grads(params, X, Y)
            optimizer.step(grads)                               # changes the arrays in params
        print(f"NumPy AdamW, 150 steps: loss {loss:.6f}, b2 = {params[3]}")
        # --8<-- [end:loop_numpy]
        # --8<-- [start:loop_torch]
        X, Y, arrays = mlp_problem()
        X, Y = torch.from_numpy(X), torch.from_numpy(Y)
        tensors = [torch.tensor(a, requires_grad=True) for a in arrays]      # float64 leaves
        W1, b1, W2, b2 = tensors
        optimizer = torch.optim.AdamW(tensors, lr=0.01, weight_decay=0.01)
        for step in range(150):
            optimizer.zero_grad()                               # backward() adds into .grad
            loss = ((torch.tanh(X @ W1.T + b1) @ W2.T + b2 - Y) ** 2).mean()
            loss.backward()
            optimizer.step()                                    # changes the tensors in place
        print(f"torch.optim.AdamW, 150 steps: loss {loss.item():.6f}, b2 = {b2.detach().numpy()}")
        # --8<-- [end:loop_torch]
        print(f"max |difference| over the 4 tensors: "
              f"{max(np.abs(p - t.detach().numpy()).max() for p, t in zip(params, tensors)):.1e}")
    elif "--train" in args:
        # --8<-- [start:demo_train]
        print("the MLP (4 tensors, 32 numbers) trained from scratch; loss at steps 1, 10, 50, 150")
        for name, hyper in [("SGD", {"lr": 0.1}), ("SGD", {"lr": 0.1, "momentum": 0.9}), ("Adagrad", {"lr": 0.1}),
                            ("RMSprop", {"lr": 0.01}), ("Adam", {"lr": 0.01}), ("AdamW", {"lr": 0.01})]:
            L = train(name, steps=150, **hyper)[0]
            print(f"{name}({', '.join(f'{k}={v}' for k, v in hyper.items())})".ljust(28), L[[0, 9, 49, 149]].round(4))
        # --8<-- [end:demo_train]
    else:
        # --8<-- [start:demo]
        runs = valley_runs()                                    # kappa = 50, 50 steps from (-4, 1)
        print("J(w) = 1/2 w^T H w, curvatures 1 and 50, from J_0 = "
              f"{0.5 * np.array([-4.0, 1.0]) @ valley(50.0) @ np.array([-4.0, 1.0]):.1f}; each tuned on its valley")
        print(f"{'optimizer':17} {'aligned: tuned':>20} {'J_50':>8}    {'rotated 45°: tuned':>20} {'J_50':>8}")
        for label in dict.fromkeys(label for label, _ in runs):
            cells = []
            for angle in (0.0, np.pi / 4):
                best, path = runs[label, angle]
                tuned = ", ".join(f"{v:.3g}" for v in best.values())           # lr (and momentum)
                cells.append(f"{tuned:>20} {0.5 * path[-1] @ valley(50.0, angle) @ path[-1]:8.1e}")
            print(f"{label:17} {cells[0]}    {cells[1]}")
        lr, mu = heavy_ball_params(1.0, 50.0)
        e = np.linalg.norm(run_path("SGD", valley(50.0), [-4.0, 1.0], 200, lr=lr, momentum=mu), axis=1)
        print(f"heavy ball with eq. (6): lr = {lr:.4f}, momentum = {mu:.4f}; per step the error shrinks by\n"
              f"  {(e[200] / e[100]) ** (1 / 100):.4f} (measured), sqrt(mu) = {np.sqrt(mu):.4f} (eq. (6)); "
              f"gradient descent at its best: (kappa - 1) / (kappa + 1) = {49 / 51:.4f}")
        # --8<-- [end:demo]
