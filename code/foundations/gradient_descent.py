"""Gradient descent and the parameter update, from scratch in NumPy beside torch.optim.SGD.

The update w <- w - lr * dJ/dw; why the minus sign and why the size of the gradient matters (sign-only
descent never settles); what the learning rate does on a quadratic, with the exact stability limit
2 / lambda_max and the rate set by the condition number; batch, mini-batch and stochastic gradient descent
on a small linear regression; a saddle point and a local minimum. Divergence raises, never a silent NaN.

Page: docs/foundations/gradient-descent.md (topic 8). Papers: Cauchy (1847); Robbins & Monro (1951), "A
stochastic approximation method"; Riedmiller & Braun (1993), Rprop; Bernstein et al. (2018), "signSGD";
Lee et al. (2016), "Gradient descent only converges to minimizers"; Bottou, Curtis & Nocedal (2018).

    python code/foundations/gradient_descent.py        four learning rates on one quadratic; other demos:
    --scalar, --sign, --batches, --torch, --saddle, --pitfalls, --exercise 2|3|4, --check (vs PyTorch)
"""
import sys  # only the command line below uses it

# --8<-- [start:imports]
import numpy as np
# --8<-- [end:imports]
# --8<-- [start:torch_imports]
import torch
# --8<-- [end:torch_imports]
# --8<-- [start:validation]


class DivergenceError(ArithmeticError):
    """Gradient descent blew up: w (or its gradient) is no longer finite. Carries the iterates so far."""

    def __init__(self, step, W, lr):
        self.step, self.W = step, W
        super().__init__(f"gradient descent diverged at step {step}: w is no longer finite with lr = {lr}; "
                         "lower the learning rate (on a quadratic it must be < 2 / lambda_max, eq. (10))")


def _check_lr(lr):
    """The learning rate eta of eq. (1) must be a finite real number > 0."""
    if isinstance(lr, bool) or not isinstance(lr, (int, float, np.integer, np.floating)):
        raise TypeError(f"learning rate lr must be a real number, got {type(lr).__name__} {lr!r}")
    if not (np.isfinite(lr) and lr > 0):
        raise ValueError(f"learning rate lr must be a finite number > 0, got {lr}")
    return float(lr)


def _check_count(n, name, low=0):
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(n).__name__} {n!r}")
    if n < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {n}")
    return int(n)


def _check_w(w0):
    w = np.array(w0, dtype=np.float64)                   # a copy: the caller's array is never changed
    if not np.all(np.isfinite(w)):
        raise ValueError(f"starting point w0 must be finite, got {w0}")
    return w
# --8<-- [end:validation]
# --8<-- [start:gradient_descent]


def gradient_descent(grad_fn, w0, lr, steps):
    """Repeat eq. (1), w <- w - lr * grad_fn(w), `steps` times from w0.
    Returns every iterate, W of shape (steps + 1, *w0.shape); raises DivergenceError on inf or nan."""
    lr, steps, w = _check_lr(lr), _check_count(steps, "steps"), _check_w(w0)
    W = [w]
    for t in range(1, steps + 1):
        with np.errstate(over="ignore", invalid="ignore"):    # overflow is caught just below, as an error
            g = np.asarray(grad_fn(w), dtype=np.float64)
            if g.shape != w.shape:
                raise ValueError(f"grad_fn must return an array of the shape of w, {w.shape}, got {g.shape}")
            w = w - lr * g                  # against the gradient (the minus sign), in proportion to it
        if not np.all(np.isfinite(w)):      # a non-finite gradient makes w non-finite too
            raise DivergenceError(t, np.array(W), lr)
        W.append(w)
    return np.array(W)                      # (steps + 1, *w0.shape)
# --8<-- [end:gradient_descent]
# --8<-- [start:sign_descent]


def sign_descent(grad_fn, w0, lr, steps):
    """Eq. (5): w <- w - lr * sign(grad). The same loop with the size of the gradient thrown away:
    every coordinate moves by exactly lr each step, however close to the minimum it already is."""
    return gradient_descent(lambda w: np.sign(grad_fn(w)), w0, lr, steps)
# --8<-- [end:sign_descent]
# --8<-- [start:quadratic]


def quadratic_loss(w, H):
    """J(w) = 1/2 w^T H w, eq. (8) with minimum w* = 0; H (P, P) symmetric positive definite."""
    return 0.5 * w @ H @ w


def quadratic_grad(w, H):
    """grad J(w) = H w, eq. (8): steeper along eigenvectors of H with larger eigenvalues."""
    return H @ w                                                      # (P,)


def lr_limits(H):
    """Eqs. (10)-(11): the largest stable lr 2 / lambda_max, the best lr 2 / (lambda_min + lambda_max),
    its contraction (kappa - 1) / (kappa + 1), and the condition number kappa = lambda_max / lambda_min."""
    H = np.asarray(H, dtype=np.float64)
    if H.ndim != 2 or H.shape[0] != H.shape[1] or not np.allclose(H, H.T):
        raise ValueError(f"H must be a symmetric (P, P) matrix, got shape {H.shape}")
    lam = np.linalg.eigvalsh(H)                                       # (P,) ascending
    if lam[0] <= 0:
        raise ValueError(f"H must be positive definite (all eigenvalues > 0), got lambda_min = {lam[0]:.3g}")
    kappa = lam[-1] / lam[0]
    return {"lr_max": 2 / lam[-1], "lr_best": 2 / (lam[0] + lam[-1]),
            "rho_best": (kappa - 1) / (kappa + 1), "kappa": kappa}


def contraction(H, lr):
    """rho(eta) = max_i |1 - eta lambda_i|, eq. (10): the error shrinks (or grows) by this factor per step."""
    return np.max(np.abs(1 - lr * np.linalg.eigvalsh(H)))
# --8<-- [end:quadratic]
# --8<-- [start:linear_regression]


def linreg_data(N=32, seed=0):
    """A small regression problem: y = 2 x - 1 + noise. X = [x, 1] (N, 2), so w = (slope, intercept)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, size=N)                                    # (N,)
    X = np.stack([x, np.ones(N)], axis=1)                             # (N, 2): the 1s column carries the bias
    y = 2 * x - 1 + 0.3 * rng.normal(size=N)                          # (N,)
    return X, y


def mse_loss(w, X, y):
    """J(w) = (1/N) ||X w - y||^2, eq. (13): the mean squared error of a linear model."""
    return np.mean((X @ w - y) ** 2)


def mse_grad(w, X, y):
    """grad J = (2/B) X^T (X w - y), eq. (13), for the B rows given (the whole set or one batch)."""
    return 2.0 / len(y) * X.T @ (X @ w - y)                          # (P,) = (P, B) @ (B,)


def least_squares(X, y):
    """The exact minimiser w*, for measuring how close gradient descent gets."""
    return np.linalg.lstsq(X, y, rcond=None)[0]
# --8<-- [end:linear_regression]
# --8<-- [start:minibatch_sgd]


def batches(N, batch_size, epochs, seed=0):
    """The index arrays of every mini-batch: each epoch a fresh shuffle of range(N), cut into
    ceil(N / B) batches (the last one smaller when B does not divide N)."""
    B = _check_count(batch_size, "batch_size", low=1)
    if B > N:
        raise ValueError(f"batch_size must be in [1, N] = [1, {N}], got {B}")
    rng = np.random.default_rng(seed)
    order = [rng.permutation(N) for _ in range(_check_count(epochs, "epochs"))]
    return [perm[i:i + B] for perm in order for i in range(0, N, B)]


def minibatch_sgd(X, y, w0, lr, epochs, batch_size, seed=0):
    """Eq. (14): one step of eq. (1) per mini-batch, with the gradient of that batch's mean loss.
    batch_size = N is batch gradient descent; batch_size = 1 is stochastic gradient descent."""
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise ValueError(f"X must be (N, P) and y (N,) with the same N, got {X.shape} and {y.shape}")
    lr, w = _check_lr(lr), _check_w(w0)
    W = [w]
    for idx in batches(len(y), batch_size, epochs, seed):
        with np.errstate(over="ignore", invalid="ignore"):
            w = w - lr * mse_grad(w, X[idx], y[idx])                  # X[idx]: (B, P), y[idx]: (B,)
        if not np.all(np.isfinite(w)):
            raise DivergenceError(len(W), np.array(W), lr)
        W.append(w)
    return np.array(W)                                                # (epochs * ceil(N / B) + 1, P)
# --8<-- [end:minibatch_sgd]
# --8<-- [start:torch_sgd]


def sgd_torch(X, y, w0, lr, epochs, batch_size, seed=0, manual=False):
    """The same run in PyTorch: torch.optim.SGD, or (manual=True) the update written out by hand."""
    X, y = torch.from_numpy(X), torch.from_numpy(y)                  # float64 stays float64
    w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)    # (P,) a leaf tensor
    optimizer = torch.optim.SGD([w], lr=lr)                           # plain: no momentum, no weight decay
    W = [w.detach().clone()]
    for idx in batches(len(y), batch_size, epochs, seed):
        idx = torch.from_numpy(idx)
        loss = ((X[idx] @ w - y[idx]) ** 2).mean()                   # J of eq. (13) on this batch
        loss.backward()                                               # w.grad = dJ/dw
        if manual:
            with torch.no_grad():                                     # the update is not part of the model
                w -= lr * w.grad                                      # eq. (1), in place: w stays a leaf
            w.grad.zero_()                                            # backward() ADDS into .grad
        else:
            optimizer.step()                                          # w <- w - lr * w.grad
            optimizer.zero_grad()                                     # sets w.grad to None
        W.append(w.detach().clone())
    return torch.stack(W).numpy()                                     # (steps + 1, P)


def sign_descent_torch(H, w0, lr, steps):
    """Eq. (5) in PyTorch: Adam with betas = (0, 0) and eps = 0 divides g by sqrt(g^2) = |g|: sign(g)."""
    H = torch.from_numpy(np.asarray(H, dtype=np.float64))
    w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.Adam([w], lr=lr, betas=(0.0, 0.0), eps=0.0)
    W = [w.detach().clone()]
    for _ in range(steps):
        (0.5 * w @ H @ w).backward()
        optimizer.step()
        optimizer.zero_grad()
        W.append(w.detach().clone())
    return torch.stack(W).numpy()
# --8<-- [end:torch_sgd]
# --8<-- [start:saddle]


def saddle_loss(w, a=0.0):
    """f(x, y) = x^2 - y^2 + y^4 / 2 + a y, eq. (17). With a = 0: a saddle at (0, 0), minima at (0, +-1).
    Near the origin it is the textbook saddle x^2 - y^2."""
    x, y = w
    return x**2 - y**2 + 0.5 * y**4 + a * y


def saddle_grad(w, a=0.0):
    """grad f = (2x, -2y + 2y^3 + a), eq. (17)."""
    x, y = w
    return np.array([2 * x, -2 * y + 2 * y**3 + a])
# --8<-- [end:saddle]
# --8<-- [start:naive]


def naive_gradient_descent(grad_fn, w0, lr, steps):
    """What people write first: no check at all. Past the stability limit w overflows to inf, then
    inf - inf (or 0 * inf inside H @ w) = nan, and the loop goes on silently with nan weights."""
    w = np.array(w0, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):                # show the nan, not a warning
        for _ in range(steps):
            w = w - lr * grad_fn(w)
    return w
# --8<-- [end:naive]
# --8<-- [start:ex_steps]


def steps_to_tolerance(H, eps):
    """Exercise 2: steps t that make rho*^t <= eps at the best lr, eq. (11): ceil(ln(1/eps) / ln(1/rho*))."""
    if not 0 < eps < 1:
        raise ValueError(f"eps must be in (0, 1), got {eps}")
    rho = lr_limits(H)["rho_best"]
    return 1 if rho == 0 else int(np.ceil(np.log(1 / eps) / np.log(1 / rho)))   # kappa = 1: one step
# --8<-- [end:ex_steps]
# --8<-- [start:ex_moments]


def minibatch_gradient_moments(G, B):
    """Exercise 3: mean and covariance of the batch-mean gradient over ALL C(N, B) batches, computed by
    enumeration, next to eqs. (15)-(16). G (N, P) holds the per-example gradients."""
    from itertools import combinations
    N = len(G)
    g_B = np.array([G[list(c)].mean(axis=0) for c in combinations(range(N), B)])   # (C(N, B), P)
    mean, cov = g_B.mean(axis=0), np.cov(g_B.T, bias=True)
    Sigma = np.cov(G.T, bias=True)                                    # (P, P), divides by N
    return mean, cov, G.mean(axis=0), Sigma * (N - B) / (B * (N - 1))  # enumerated, then eq. (15)-(16)
# --8<-- [end:ex_moments]
# --8<-- [start:ex_scaling]


def standardize(X):
    """Exercise 4: each non-constant column to mean 0, standard deviation 1 (the 1s column is kept)."""
    X = np.asarray(X, dtype=np.float64)
    mu, sd = X.mean(axis=0), X.std(axis=0)
    keep = sd == 0                                                    # constant columns: the bias feature
    return np.where(keep, X, (X - mu) / np.where(keep, 1.0, sd))


def hessian_mse(X):
    """H = (2/N) X^T X, eq. (13): the curvature of the MSE of a linear model; it depends on X only."""
    return 2.0 / len(X) * X.T @ X                                     # (P, P)
# --8<-- [end:ex_scaling]
# --8<-- [start:example]


def example_quadratic():
    """The problem of the learning-rate figure: J = 1/2 w^T H w with curvatures 1 and 10 (kappa = 10)."""
    H = np.diag([1.0, 10.0])                                          # (2, 2)
    w0 = np.array([-4.0, 1.5])                                        # (2,) start; the minimum is w* = 0
    lrs = {"too small": 0.01, "right": 0.1, "too large": 0.195, "divergent": 0.21}
    return H, w0, lrs
# --8<-- [end:example]


def _two_panels(height=3.0):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt.subplots(1, 2, figsize=(7, height))


def _contours(ax, f, xlim, ylim, levels):
    xs, ys = np.linspace(*xlim, 41), np.linspace(*ylim, 41)
    Z = np.array([[f(np.array([x, y])) for x in xs] for y in ys])    # (41, 41)
    ax.contour(xs, ys, Z, levels=levels, colors="0.75", linewidths=0.6)
    ax.set(xlim=xlim, ylim=ylim)


def plot_learning_rates():
    """Four learning rates on the same quadratic: paths over the contours, and the loss per step."""
    H, w0, lrs = example_quadratic()
    fig, (ax, ax_loss) = _two_panels()
    _contours(ax, lambda w: quadratic_loss(w, H), (-4.5, 4.5), (-2.5, 2.5), [0.3, 1, 3, 8, 16, 30])
    for (name, lr), marker in zip(lrs.items(), "osv^"):
        W = gradient_descent(lambda w: quadratic_grad(w, H), w0, lr, steps=40)
        ax.plot(W[:, 0], W[:, 1], marker=marker, ms=2.5, lw=0.8, label=f"{name}, η = {lr}")
        ax_loss.plot([quadratic_loss(w, H) for w in W], lw=1.2, label=f"{name}, η = {lr}")
    ax.plot(0, 0, "k*", ms=8)
    ax.set(xlabel="$w_1$ (curvature 1)", ylabel="$w_2$ (curvature 10)", title="paths from the same start")
    ax_loss.legend(fontsize=7, loc="lower left")
    ax_loss.set(xlabel="step t", ylabel="loss $J(w_t)$", yscale="log", title="loss per step (log scale)")
    fig.tight_layout()
    return fig


def plot_sign_descent():
    """J = w^2 / 2 from w = 1 with step 0.3: gradient steps shrink, sign-only steps do not."""
    W_gd = gradient_descent(lambda w: w, 1.0, 0.3, steps=30)
    W_sign = sign_descent(lambda w: w, 1.0, 0.3, steps=30)
    fig, (ax, ax_log) = _two_panels(2.8)
    for W, label, marker in [(W_gd, "gradient descent, eq. (1)", "o"), (W_sign, "sign descent, eq. (5)", "s")]:
        ax.plot(W, marker=marker, ms=3, lw=0.8, label=label)
        ax_log.semilogy(np.abs(W), marker=marker, ms=3, lw=0.8, label=label)
    ax.axhline(0, color="k", lw=0.5)
    ax.set(xlabel="step t", ylabel="$w_t$", title="the weight (minimum at 0)")
    ax_log.set(xlabel="step t", ylabel="$|w_t - w^*|$", title="distance to the minimum (log)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_batch_sizes():
    """Batch, mini-batch and stochastic GD on the same regression, same lr, 40 epochs."""
    X, y = linreg_data()
    w_star, N = least_squares(X, y), len(y)
    J_star, (fig, (ax, ax_gap)) = mse_loss(w_star, X, y), _two_panels()
    _contours(ax, lambda w: mse_loss(w, X, y), (-0.3, 2.6), (-1.4, 0.3), J_star + np.array([0.02, 0.1, 0.4, 1, 2]))
    for B, name in [(N, f"batch, B = N = {N}"), (8, "mini-batch, B = 8"), (1, "stochastic, B = 1")]:
        W = minibatch_sgd(X, y, np.zeros(2), 0.2, epochs=40, batch_size=B)
        epoch = np.arange(len(W)) / int(np.ceil(N / B))              # steps -> epochs
        W, epoch = W[::len(W) // 300 + 1], epoch[::len(W) // 300 + 1]  # at most ~300 points: a small SVG
        ax.plot(W[:, 0], W[:, 1], lw=0.7, label=name)
        ax_gap.semilogy(epoch, [mse_loss(w, X, y) - J_star for w in W], lw=0.7, label=name)
    ax.plot(*w_star, "k*", ms=8)
    ax.set(xlabel="slope $w_1$", ylabel="intercept $w_2$", title="paths from w = (0, 0)")
    ax_gap.set(xlabel="epoch", ylabel="$J(w) - J(w^*)$", title="distance to the optimum (log)")
    ax_gap.legend(fontsize=7)
    fig.tight_layout()
    return fig


def plot_saddle():
    """f = x^2 - y^2 + y^4/2: from exactly y = 0 GD stalls at the saddle; from y = 1e-6 it escapes."""
    fig, (ax, ax_f) = _two_panels()
    _contours(ax, saddle_loss, (-1.2, 1.2), (-1.5, 1.5), [-0.45, -0.3, -0.1, 0, 0.2, 0.6, 1.2])
    for y0, label in [(0.0, "start (1, 0): stalls"), (1e-6, "start (1, 1e-6): escapes")]:
        W = gradient_descent(saddle_grad, [1.0, y0], 0.1, steps=100)
        ax.plot(W[:, 0], W[:, 1], "o-", ms=2, lw=0.8, label=label)
        ax_f.plot([saddle_loss(w) for w in W], lw=1.2, label=label)
    ax.plot([0, 0, 0], [0, 1, -1], "k*", ms=7)
    ax.set(xlabel="x", ylabel="y", title="saddle at (0, 0), minima at (0, ±1)")
    ax_f.set(xlabel="step t", ylabel="$f(w_t)$", title="the loss: a long plateau, then a drop")
    ax_f.legend(fontsize=8)
    fig.tight_layout()
    return fig


def _autograd(f, w):
    w = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    f(w).backward()
    return w.grad.numpy()


def _finite_diff(f, w, h=1e-6):
    """Central differences (f(w + h e_i) - f(w - h e_i)) / 2h for every coordinate i."""
    E = np.eye(len(w)) * h
    return np.array([(f(w + e) - f(w - e)) / (2 * h) for e in E])


def check():
    """Print, for every from-scratch update and gradient, the max |difference| against PyTorch (float64)."""
    X, y = linreg_data(N=12, seed=1)
    w0, N, H = np.array([0.5, -0.5]), 12, np.diag([1.0, 4.0, 9.0])
    gd = lambda w: mse_grad(w, X, y)                                  # noqa: E731
    runs = [  # (from scratch, its iterates, PyTorch, its iterates)
        ("gradient_descent (batch)", gradient_descent(gd, w0, 0.2, 25), "torch.optim.SGD, B = N",
         sgd_torch(X, y, w0, 0.2, 25, N)),
        ("minibatch_sgd, B = 4", minibatch_sgd(X, y, w0, 0.2, 5, 4), "torch.optim.SGD, same batches",
         sgd_torch(X, y, w0, 0.2, 5, 4)),
        ("minibatch_sgd, B = 1", minibatch_sgd(X, y, w0, 0.1, 3, 1), "torch.optim.SGD, same batches",
         sgd_torch(X, y, w0, 0.1, 3, 1)),
        ("sgd_torch(manual=True)", sgd_torch(X, y, w0, 0.2, 5, 4, manual=True), "torch.optim.SGD",
         sgd_torch(X, y, w0, 0.2, 5, 4)),
        ("sign_descent", sign_descent(lambda w: quadratic_grad(w, H), [1.0, -0.7, 0.33], 0.3, 20),
         "Adam(betas=(0, 0), eps=0)", sign_descent_torch(H, [1.0, -0.7, 0.33], 0.3, 20)),
    ]
    print(f"{'from scratch':26} {'PyTorch':31} {'steps':>5}  max |diff|")
    for ours, W, name, W_torch in runs:
        print(f"{ours:26} {name:31} {len(W) - 1:5}  {np.max(np.abs(W - W_torch)):.1e}")
    Xt, yt, Ht = torch.from_numpy(X), torch.from_numpy(y), torch.from_numpy(H)
    u3, v = np.array([1.0, -0.7, 0.33]), np.array([0.3, -0.8])
    grads = [  # (name, hand-derived, autograd, finite differences)
        ("mse_grad, eq. (13)", gd(w0), _autograd(lambda u: ((Xt @ u - yt) ** 2).mean(), w0),
         _finite_diff(lambda u: mse_loss(u, X, y), w0)),
        ("quadratic_grad, eq. (8)", quadratic_grad(u3, H), _autograd(lambda u: quadratic_loss(u, Ht), u3),
         _finite_diff(lambda u: quadratic_loss(u, H), u3)),
        ("saddle_grad, eq. (17)", saddle_grad(v, 0.3), _autograd(lambda u: saddle_loss(u, 0.3), v),
         _finite_diff(lambda u: saddle_loss(u, 0.3), v)),
    ]
    print(f"\n{'hand-derived gradient':26} {'vs autograd':>11} {'vs finite diff':>15}")
    for name, ours, auto, fd in grads:
        print(f"{name:26} {np.max(np.abs(ours - auto)):11.1e} {np.max(np.abs(ours - fd)):15.1e}")


def pitfalls():
    """The classic mistakes, one numbered line each (the page's Pitfalls list cites them)."""
    # --8<-- [start:demo_divergence]
    H, w0, _ = example_quadratic()                                    # 2 / lambda_max = 0.2
    grad = lambda w: quadratic_grad(w, H)                             # noqa: E731
    print(f"1. lr = 0.25, naive loop, 2000 steps: w = {naive_gradient_descent(grad, w0, 0.25, 2000)}, no error")
    try:
        gradient_descent(grad, w0, 0.25, 2000)
    except DivergenceError as error:
        print(f"   gradient_descent raises DivergenceError: {error}")
    # --8<-- [end:demo_divergence]
    J_small, J_good = (quadratic_loss(gradient_descent(grad, w0, lr, 100)[-1], H) for lr in (0.001, 0.1))
    print(f"2. 100 steps from J = {quadratic_loss(w0, H):.2f}: lr = 0.001 reaches J = {J_small:.2f}, "
          f"lr = 0.1 reaches J = {J_good:.1e}")
    X, y = linreg_data()
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    w = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    for _ in range(30):                                               # the bug: no zero_grad, .grad piles up
        ((Xt @ w - yt) ** 2).mean().backward()
        with torch.no_grad():
            w -= 0.2 * w.grad
    good = minibatch_sgd(X, y, np.zeros(2), 0.2, 30, len(y))[-1]
    print(f"3. no zero_grad, 30 steps of lr = 0.2: J = {mse_loss(w.detach().numpy(), X, y):.3g}; "
          f"with zero_grad: J = {mse_loss(good, X, y):.3g}")
    w = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    ((Xt @ w - yt) ** 2).mean().backward()
    print(f"4. w -= lr * w.grad outside torch.no_grad(): {_error(lambda: w.sub_(0.2 * w.grad))}")
    sum_grad = lambda w: len(y) * mse_grad(w, X, y)                  # noqa: E731  reduction="sum"
    print(f"5. lr = 0.2 on the SUM of the N = {len(y)} losses instead of the mean: "
          f"{_error(lambda: gradient_descent(sum_grad, np.zeros(2), 0.2, 1000))}")


def _error(f):
    """Run f; return 'ErrorType: message' of what it raises (the message's first line)."""
    try:
        f()
    except Exception as error:                                        # noqa: BLE001  (show any error)
        return f"{type(error).__name__}: {str(error).splitlines()[0]}"
    return "no error"


def exercises(n):
    """The printed part of Exercises 2-4."""
    if n == "2":
        # --8<-- [start:demo_ex2]
        print("kappa  best lr   rho*      steps: predicted  a real run  (kappa-1)/2 ln(1/eps)")
        for kappa in [10, 100, 1000]:
            H, eps = np.diag([1.0, kappa]), 1e-6
            lim = lr_limits(H)
            W = gradient_descent(lambda w: quadratic_grad(w, H), [1.0, 0.0], lim["lr_best"], 8000)
            needed = int(np.argmax(np.linalg.norm(W, axis=1) <= eps))  # first t with ||w_t|| <= eps
            print(f"{kappa:<6} {lim['lr_best']:<9.5f} {lim['rho_best']:<9.6f} {steps_to_tolerance(H, eps):<17} "
                  f"{needed:<11} {(kappa - 1) / 2 * np.log(1 / eps):.0f}")
        # --8<-- [end:demo_ex2]
    elif n == "3":
        # --8<-- [start:demo_ex3]
        from math import comb
        X, y = linreg_data(N=10, seed=4)
        G = np.array([mse_grad(np.zeros(2), X[n:n + 1], y[n:n + 1]) for n in range(10)])  # (N, P)
        print("B    batches  max |E[g_B] - grad J|  trace of Cov[g_B]: enumerated  eq. (16)")
        for B in [1, 2, 5, 10]:
            mean, cov, mean_eq, cov_eq = minibatch_gradient_moments(G, B)
            print(f"{B:<4} {comb(10, B):<8} "
                  f"{np.abs(mean - mean_eq).max():<22.1e} {np.trace(cov):<31.6f} {np.trace(cov_eq):.6f}")
        # --8<-- [end:demo_ex3]
    else:
        # --8<-- [start:demo_ex4]
        X, y = linreg_data()
        X_raw = np.stack([X[:, 0], 500 + 500 * X[:, 0] ** 2, X[:, 1]], axis=1)  # (N, 3): x, a big feature, 1
        for name, A in [("raw", X_raw), ("standardized", standardize(X_raw))]:
            lim = lr_limits(hessian_mse(A))
            print(f"{name:13} kappa = {lim['kappa']:<9.3g} lr < {lim['lr_max']:<9.3g} "
                  f"steps for a 1e6-fold smaller error: {steps_to_tolerance(hessian_mse(A), 1e-6)}")
        # --8<-- [end:demo_ex4]


if __name__ == "__main__":
    args = sys.argv[1:]
    if "--check" in args:
        check()
    elif "--pitfalls" in args:
        pitfalls()
    elif "--exercise" in args:
        exercises(args[args.index("--exercise") + 1])
    elif "--scalar" in args:
        # --8<-- [start:demo_scalar]
        lam, w0 = 4.0, 1.0                                            # J = lam w^2 / 2, eq. (6); 2 / lam = 0.5
        print("lr     1 - lr*lam   w_1      w_2      w_3      w_4      w_5      w_30")
        for lr in [0.1, 0.25, 0.4, 0.5, 0.55]:
            W = gradient_descent(lambda w: lam * w, w0, lr, steps=30)
            print(f"{lr:<6} {1 - lr * lam:<12.2f} " + " ".join(f"{w:<8.4f}" for w in W[1:6]) + f" {W[30]:.3g}")
        # --8<-- [end:demo_scalar]
    elif "--sign" in args:
        # --8<-- [start:demo_sign]
        grad = lambda w: w                                            # noqa: E731  J = w^2 / 2, minimum at 0
        W_gd = gradient_descent(grad, 1.0, lr=0.3, steps=30)
        W_sign = sign_descent(grad, 1.0, lr=0.3, steps=30)
        print("step t   gradient descent w_t   sign descent w_t")
        for t in [0, 1, 2, 3, 4, 5, 6, 7, 28, 29, 30]:
            print(f"{t:<8} {W_gd[t]:<22.6f} {W_sign[t]:.6f}")
        # --8<-- [end:demo_sign]
    elif "--batches" in args:
        # --8<-- [start:demo_batches]
        X, y = linreg_data()                                          # N = 32 examples, P = 2 weights
        w_star, N = least_squares(X, y), len(y)
        print(f"w* = {w_star.round(4)}, J(w*) = {mse_loss(w_star, X, y):.4f}")
        print("B    lr     steps/epoch  steps  ||w - w*|| at the end  J - J*, mean over the last epoch")
        for B, lr in [(N, 0.2), (8, 0.2), (1, 0.2), (1, 0.02)]:
            W = minibatch_sgd(X, y, np.zeros(2), lr, epochs=40, batch_size=B)
            per_epoch = -(-N // B)                                    # ceil(N / B)
            gap = np.mean([mse_loss(w, X, y) for w in W[-per_epoch:]]) - mse_loss(w_star, X, y)
            print(f"{B:<4} {lr:<6} {per_epoch:<12} {len(W) - 1:<6} {np.linalg.norm(W[-1] - w_star):<22.2e} {gap:.2e}")
        # --8<-- [end:demo_batches]
    elif "--torch" in args:
        # --8<-- [start:demo_torch]
        X, y = linreg_data()
        W_numpy = minibatch_sgd(X, y, [0.0, 0.0], lr=0.2, epochs=5, batch_size=8)
        W_optim = sgd_torch(X, y, [0.0, 0.0], lr=0.2, epochs=5, batch_size=8)
        W_manual = sgd_torch(X, y, [0.0, 0.0], lr=0.2, epochs=5, batch_size=8, manual=True)
        print(f"{len(W_optim) - 1} steps of mini-batch SGD (B = 8); w at the end: {W_optim[-1].round(6)}")
        print(f"max |NumPy minibatch_sgd - torch.optim.SGD| over all steps: {np.abs(W_numpy - W_optim).max():.1e}")
        print(f"max |manual no_grad update - torch.optim.SGD| over all steps: {np.abs(W_manual - W_optim).max():.1e}")
        # --8<-- [end:demo_torch]
    elif "--saddle" in args:
        # --8<-- [start:demo_saddle]
        for start in ([1.0, 0.0], [1.0, 1e-6]):                       # on the stable manifold y = 0, and just off
            W = gradient_descent(saddle_grad, start, lr=0.1, steps=100)
            t_drop = next((t for t, w in enumerate(W) if saddle_loss(w) < -0.25), None)
            print(f"start {start}: ends at {W[-1].round(6)}, f = {saddle_loss(W[-1]):.4f}, "
                  f"|grad f| = {np.linalg.norm(saddle_grad(W[-1])):.1e}, f < -0.25 from step {t_drop}")
        for start in ([1.0, 0.5], [1.0, -0.5]):                       # tilted, a = 0.3: two different minima
            w = gradient_descent(lambda w: saddle_grad(w, a=0.3), start, lr=0.1, steps=200)[-1]
            print(f"a = 0.3, start {start}: ends at {w.round(4)}, f = {saddle_loss(w, a=0.3):.4f}, "
                  f"|grad f| = {np.linalg.norm(saddle_grad(w, a=0.3)):.1e}")
        # --8<-- [end:demo_saddle]
    else:
        # --8<-- [start:demo]
        H, w0, lrs = example_quadratic()
        limits = lr_limits(H)
        print(f"kappa = {limits['kappa']:.3g}, largest stable lr 2/lambda_max = {limits['lr_max']:.3g}, "
              f"best lr = {limits['lr_best']:.4f}, rho = {limits['rho_best']:.4f}")
        print("regime     lr      rho(lr), eq. (10)   measured ||w_40|| / ||w_39||   J(w_40)")
        for name, lr in lrs.items():
            W = gradient_descent(lambda w: quadratic_grad(w, H), w0, lr, steps=40)   # (41, 2)
            ratio = np.linalg.norm(W[40]) / np.linalg.norm(W[39])
            print(f"{name:10} {lr:<7} {contraction(H, lr):<19.4f} {ratio:<30.4f} {quadratic_loss(W[40], H):.2e}")
        # --8<-- [end:demo]
