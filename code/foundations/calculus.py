"""The calculus you need: derivatives, gradients, Jacobians, the chain rule, checked by finite differences.

Page: docs/foundations/calculus.md (topic 3). Central differences have error O(h²) plus round-off ~ε/h,
so the best step is near ε^(1/3) (Nocedal & Wright 2006, "Numerical Optimization", §8.1). Layout: the
gradient of a scalar has the shape of the variable; the Jacobian of f: Rⁿ → Rᵐ is (m, n) (Petersen &
Pedersen, "The Matrix Cookbook"). VJP and JVP: Baydin et al. 2018, "Automatic differentiation in ML".

    python code/foundations/calculus.py              derivative, gradient, Jacobian of a small example
    python code/foundations/calculus.py --rate       the derivative as a local rate: its size matters
    python code/foundations/calculus.py --steps      finite-difference error against the step h
    python code/foundations/calculus.py --pitfalls   the classic mistakes and their symptoms
    python code/foundations/calculus.py --check      agreement with torch.autograd (float64)
"""
import sys  # only the command line below uses it

# --8<-- [start:imports]
import numpy as np
# --8<-- [end:imports]
# --8<-- [start:torch_imports]
import torch
from torch.autograd.functional import jacobian, jvp, vjp
# --8<-- [end:torch_imports]
# --8<-- [start:checks]


def as_float(name, x):
    """x as a float array. Integers are refused: x[i] + h stored back into an int array is truncated."""
    a = np.asarray(x)
    if not np.issubdtype(a.dtype, np.floating):
        raise TypeError(f"{name} must be a floating-point array (use float64 for gradient checks), got "
                        f"dtype {a.dtype}; convert with np.asarray({name}, dtype=np.float64)")
    return a


def check_step(h):
    """The step h must be a positive, finite real number."""
    if isinstance(h, (bool, np.bool_)) or not isinstance(h, (int, float, np.integer, np.floating)) \
            or not 0 < h < np.inf:
        raise ValueError(f"h must be a positive finite step, such as 1e-5, got {h!r}")
# --8<-- [end:checks]
# --8<-- [start:derivative]


def partial_difference(f, x, idx, h):
    """(f(x + h e) - f(x - h e)) / step along entry idx of x, eq. (21); f(x) may be any array."""
    x_plus, x_minus = x.copy(), x.copy()           # copies: x itself is never modified
    x_plus[idx] += h                               # rounded to x's dtype ...
    x_minus[idx] -= h
    step = x_plus[idx] - x_minus[idx]              # ... so divide by the step actually taken
    if step == 0:
        where = f"x{list(idx) if idx else ''} = {x[idx]} in {x.dtype}"
        raise ValueError(f"h = {h:g} is too small for {where}: x + h rounds to x "
                         f"(spacing {np.spacing(x[idx]):.1e}); use a larger h, scaled with |x|")
    return (np.asarray(f(x_plus)) - np.asarray(f(x_minus))) / step


def numerical_derivative(f, x, h=1e-5, method="central"):
    """f'(x) for f: R -> R. Central differences, eq. (21), or forward differences, eq. (20)."""
    x = as_float("x", x)
    if x.ndim != 0:
        raise ValueError(f"x must be a scalar (shape ()), got shape {x.shape}; use numerical_gradient")
    check_step(h)
    if method == "central":
        return partial_difference(f, x, (), h)
    if method != "forward":
        raise ValueError(f"method must be 'central' or 'forward', got {method!r}")
    x_plus = x + np.asarray(h, dtype=x.dtype)       # (f(x + h) - f(x)) / h, eq. (20)
    if x_plus == x:
        raise ValueError(f"h = {h:g} is too small for x = {x} in {x.dtype}: x + h rounds to x")
    return (np.asarray(f(x_plus)) - np.asarray(f(x))) / (x_plus - x)
# --8<-- [end:derivative]
# --8<-- [start:gradient]


def numerical_gradient(f, x, h=1e-5):
    """∇f(x) for a scalar f of an array x of any shape, eq. (4): the result has the shape of x."""
    x = as_float("x", x)
    check_step(h)
    fx = np.asarray(f(x))
    if fx.size != 1:
        raise ValueError(f"f(x) must be a scalar, got shape {fx.shape}; for a vector f use numerical_jacobian")
    grad = np.empty(x.shape, dtype=np.result_type(fx, x))     # same shape as x, always
    for idx in np.ndindex(x.shape):                            # one partial derivative per entry, eq. (3)
        grad[idx] = partial_difference(f, x, idx, h).item()
    return grad
# --8<-- [end:gradient]
# --8<-- [start:jacobian]


def numerical_jacobian(f, x, h=1e-5):
    """J[i, j] = ∂f_i/∂x_j for f: Rⁿ -> Rᵐ, eq. (8). x: (n,), f(x): (m,); returns (m, n)."""
    x = as_float("x", x)
    if x.ndim != 1:
        raise ValueError(f"x must have shape (n,), got {x.shape}; flatten it and reshape inside f")
    check_step(h)
    y = np.asarray(f(x))
    if y.ndim != 1:
        raise ValueError(f"f(x) must have shape (m,), got {y.shape}; for a scalar f use numerical_gradient")
    J = np.empty((y.size, x.size), dtype=np.result_type(y, x))  # (m, n): row i = output i
    for j in range(x.size):                                     # column j: nudge input j only
        J[:, j] = partial_difference(f, x, (j,), h)
    return J
# --8<-- [end:jacobian]
# --8<-- [start:relative_error]


def relative_error(a, b):
    """max|a - b| / max(|a|, |b|): scale-free; about 1e-8 or less means "equal" for a float64 check."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:                         # a transposed gradient is a bug, not a broadcast
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    scale = max(np.abs(a).max(initial=0.0), np.abs(b).max(initial=0.0))
    return 0.0 if scale == 0 else float(np.abs(a - b).max() / scale)
# --8<-- [end:relative_error]
# --8<-- [start:rate]


def local_rate(J, dJ, w, dws):
    """For each Δw: the true change J(w + Δw) - J(w) and its prediction dJ(w)·Δw, eq. (2)."""
    return [(dw, J(w + dw) - J(w), dJ(w) * dw) for dw in dws]
# --8<-- [end:rate]
# --8<-- [start:matrix]


def check_shape(name, a, shape):
    """Raise ValueError unless a has exactly this shape; the message names the expected one."""
    if np.shape(a) != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)}, got {np.shape(a)}")


def grad_aWx(a, W, x):
    """∂(aᵀWx)/∂W = a xᵀ, eq. (13): shape (m, n), like W. a: (m,), x: (n,)."""
    if np.ndim(W) != 2:
        raise ValueError(f"W must have shape (m, n), got {np.shape(W)}")
    check_shape("a", a, np.shape(W)[:1])
    check_shape("x", x, np.shape(W)[1:])
    return np.outer(a, x)


def least_squares(X, W, Y):
    """J = ½ ||X Wᵀ - Y||², eq. (14). X: (N, d), W: (m, d), Y: (N, m)."""
    if np.ndim(X) != 2 or np.ndim(W) != 2 or np.shape(X)[1] != np.shape(W)[1] \
            or np.shape(Y) != (len(X), len(W)):
        raise ValueError(f"need X (N, d), W (m, d), Y (N, m); got X {np.shape(X)}, W {np.shape(W)}, "
                         f"Y {np.shape(Y)}")
    return 0.5 * np.sum((X @ W.T - Y) ** 2)


def grad_least_squares(X, W, Y):
    """∂J/∂W = RᵀX (m, d), eq. (15), and ∂J/∂X = R W (N, d), eq. (16), with R = X Wᵀ - Y (N, m)."""
    least_squares(X, W, Y)                         # the same shape checks
    R = X @ W.T - Y                                # (N, m): the residuals
    return R.T @ X, R @ W                          # (m, N)(N, d) = (m, d); (N, m)(m, d) = (N, d)


def jacobian_elementwise(dg, z):
    """a = g(z) entry by entry has the diagonal Jacobian diag(g'(z)), eq. (17): (n, n)."""
    if np.ndim(z) != 1:                            # np.diag of a matrix would return its diagonal
        raise ValueError(f"z must have shape (n,), got {np.shape(z)}")
    return np.diag(dg(z))
# --8<-- [end:matrix]
# --8<-- [start:chain]


def tanh_layer(W, x):
    """f(x) = tanh(W x): W (m, n), x (n,) -> (m,). A layer with no bias, the chain rule's example."""
    return np.tanh(W @ x)


def jacobian_tanh_layer(W, x):
    """J = diag(1 - a²) W, eq. (18): the Jacobian of tanh, eq. (17), times that of Wx, eq. (12), by eq. (9)."""
    a = tanh_layer(W, x)                           # (m,)
    return (1 - a**2)[:, None] * W                 # scales row i of W: no (m, m) diagonal is built


def vjp_tanh_layer(W, x, v):
    """vᵀJ without forming J, eq. (19): ((1 - a²) ⊙ v) W. v: (m,) -> (n,)."""
    a = tanh_layer(W, x)
    return ((1 - a**2) * v) @ W


def jvp_tanh_layer(W, x, u):
    """J u without forming J, eq. (19): (1 - a²) ⊙ (W u). u: (n,) -> (m,)."""
    a = tanh_layer(W, x)
    return (1 - a**2) * (W @ u)
# --8<-- [end:chain]
# --8<-- [start:example]


def example():
    """The running example: f(x) = tanh(W x) with W (m, n) = (2, 3) and x (n,) = (3,)."""
    W = np.array([[0.5, -1.0, 0.25],
                  [1.0, 0.5, -0.5]])              # (2, 3)
    x = np.array([0.2, -0.4, 1.0])                 # (3,)
    return W, x
# --8<-- [end:example]
# --8<-- [start:scratch_demo]


def scratch_demo():
    W, x = example()
    f = lambda x: tanh_layer(W, x)                       # f: R³ -> R²
    J = numerical_jacobian(f, x)                         # (2, 3): one row per output
    print("numerical_jacobian, shape", J.shape, "\n", J.round(6))
    print("diag(1 - a²) W, eq. (18):\n", jacobian_tanh_layer(W, x).round(6))
    L = lambda x: np.sum(tanh_layer(W, x))               # a scalar of x
    g = numerical_gradient(L, x)                         # (3,): the shape of x
    print("numerical_gradient of sum(tanh(Wx)), shape", g.shape, g.round(6))
    print("the VJP 1ᵀJ, eq. (19):", vjp_tanh_layer(W, x, np.ones(2)).round(6))
    print("numerical_derivative of sin at 1:", numerical_derivative(np.sin, 1.0), " cos(1):", np.cos(1.0))
# --8<-- [end:scratch_demo]
# --8<-- [start:torch_way]


def torch_demo():
    W, x = (torch.tensor(a) for a in example())                      # float64, like NumPy
    f = lambda x: torch.tanh(W @ x)
    print("jacobian(f, x), shape", tuple(jacobian(f, x).shape), "\n", jacobian(f, x).numpy().round(6))
    xg = x.clone().requires_grad_(True)                              # autograd tracks xg
    (g,) = torch.autograd.grad(f(xg).sum(), xg)                      # ∇ of a scalar: shape of x
    print("autograd.grad of sum(tanh(Wx)):", g.numpy().round(6))
    print("vjp(f, x, v)[1] with v = 1:", vjp(f, x, torch.ones(2, dtype=torch.float64))[1].numpy().round(6))
    print("jvp(f, x, u)[1] with u = e_0:", jvp(f, x, torch.eye(3, dtype=torch.float64)[0])[1].numpy().round(6))
    one = torch.tensor(1.0, dtype=torch.float64)
    print("torch.func.grad(torch.sin)(1):", torch.func.grad(torch.sin)(one).item())      # = cos(1)
# --8<-- [end:torch_way]
# --8<-- [start:step_errors]


def step_errors(hs, dtype, method, x0=1.0):
    """|finite difference of sin at x0 - cos(x0)| for each h, computed in dtype; NaN where x0 ± h = x0."""
    x = np.asarray(x0, dtype=dtype)
    errors = []
    for h in hs:
        try:
            errors.append(abs(float(numerical_derivative(np.sin, x, h, method)) - np.cos(x0)))
        except ValueError:                         # h below the spacing of numbers near x0
            errors.append(np.nan)
    return np.array(errors)


def best_step(dtype, method, x0=1.0):
    """Eq. (22): the h that balances truncation and round-off for sin at x0, and the error there."""
    eps = np.finfo(dtype).eps
    f, d2, d3 = abs(np.sin(x0)), abs(np.sin(x0)), abs(np.cos(x0))  # |f|, |f''|, |f'''|
    if method == "forward":
        h = 2 * np.sqrt(eps * f / d2)
        return h, h / 2 * d2 + 2 * eps * f / h
    h = (3 * eps * f / d3) ** (1 / 3)
    return h, h**2 / 6 * d3 + eps * f / h
# --8<-- [end:step_errors]
# --8<-- [start:pitfalls]


def naive_gradient(f, x, h=1e-5):
    """The loop people write first: nudge x in place and put it back. No dtype check."""
    grad = np.zeros(x.shape)
    for i in range(x.size):
        old = x[i]
        x[i] = old + h                             # int array: 1 + 1e-5 is stored as 1
        f_plus = f(x)
        x[i] = old - h                             # ... and 1 - 1e-5 as 0 (truncation toward 0)
        f_minus = f(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def pitfall_integer():
    """∇ sum(x²) = 2x = [2, 4, 6], but integer x gives garbage silently."""
    return naive_gradient(lambda v: np.sum(v**2), np.array([1, 2, 3]))


def pitfall_float32_check(seed=0):
    """A correct gradient checked in float32 and in float64: relative errors, and torch's gradcheck."""
    rng = np.random.default_rng(seed)
    X, W, Y = rng.normal(size=(4, 3)), rng.normal(size=(2, 3)), rng.normal(size=(4, 2))
    errors = {}
    for dtype in (np.float32, np.float64):
        Xd, Wd, Yd = (a.astype(dtype) for a in (X, W, Y))
        numeric = numerical_gradient(lambda W_: least_squares(Xd, W_, Yd), Wd)
        errors[dtype.__name__] = relative_error(numeric, grad_least_squares(X, W, Y)[0])
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")            # torch warns that float32 "will likely fail": it does
        inputs = {str(dt): torch.tensor([0.3, 1.0, 2.0], dtype=dt, requires_grad=True)
                  for dt in (torch.float32, torch.float64)}
        ok = {k: torch.autograd.gradcheck(torch.sin, t, raise_exception=False) for k, t in inputs.items()}
    return errors, ok


def pitfall_transposed(seed=0):
    """XᵀR instead of RᵀX: the wrong shape (d, m) when m != d, and wrong numbers when W is square."""
    rng = np.random.default_rng(seed)
    X, W, Y = rng.normal(size=(5, 3)), rng.normal(size=(3, 3)), rng.normal(size=(5, 3))  # square W: m = d
    R = X @ W.T - Y                                # (N, m)
    numeric = numerical_gradient(lambda W_: least_squares(X, W_, Y), W)
    R2 = X @ W[:2].T - Y[:, :2]                    # the same with m = 2 neurons: W[:2] is (2, 3)
    return relative_error(X.T @ R, numeric), relative_error(R.T @ X, numeric), (X.T @ R2).shape


def pitfall_kink():
    """At a kink (ReLU at 0) the central difference averages the two slopes; autograd picks one."""
    relu = lambda z: np.maximum(z, 0.0)
    z = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
    torch.relu(z).backward()
    return numerical_derivative(relu, 0.0).item(), z.grad.item()
# --8<-- [end:pitfalls]
# --8<-- [start:exercise_paths]


def z_of_t(t):
    """z = x y with x = cos t, y = sin t: two paths from t to z."""
    return np.cos(t) * np.sin(t)


def dz_dt(t):
    """Sum over the two paths, eq. (7): ∂z/∂x dx/dt + ∂z/∂y dy/dt = y(-sin t) + x cos t."""
    x, y = np.cos(t), np.sin(t)
    return y * (-np.sin(t)) + x * np.cos(t)        # = cos²t - sin²t = cos 2t
# --8<-- [end:exercise_paths]
# --8<-- [start:exercise_quadratic]


def grad_quadratic(A, x):
    """∂(xᵀAx)/∂x = (A + Aᵀ) x: shape (n,), like x."""
    return (A + A.T) @ x
# --8<-- [end:exercise_quadratic]
# --8<-- [start:exercise_vjp]


def jacobian_by_vjps(f, x, m):
    """Row i of J is e_iᵀ J: m reverse-mode VJPs build the (m, n) Jacobian."""
    rows = [vjp(f, x, e_i)[1] for e_i in torch.eye(m, dtype=x.dtype)]
    return torch.stack(rows)                       # (m, n)


def jacobian_by_jvps(f, x):
    """Column j of J is J e_j: n forward-mode JVPs build the (m, n) Jacobian."""
    eye = torch.eye(x.numel(), dtype=x.dtype)      # the unit vectors e_j of input space
    cols = [jvp(f, x, e_j)[1] for e_j in eye]
    return torch.stack(cols, dim=1)                # (m, n)
# --8<-- [end:exercise_vjp]


def plot_derivative_and_gradient():
    """Left: secants turn into the tangent as h shrinks. Right: gradients point uphill, across contours."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(7, 3))
    f, df, x0 = (lambda x: np.sin(x) + 0.5 * x), (lambda x: np.cos(x) + 0.5), 1.0
    x = np.linspace(-0.5, 3.5, 60)
    ax0.plot(x, f(x), "k", label="f(x)")
    for h, alpha in [(2.0, 0.35), (1.0, 0.6)]:
        slope = (f(x0 + h) - f(x0)) / h
        ax0.plot(x, f(x0) + slope * (x - x0), "C0--", alpha=alpha, label=f"secant, h = {h:g}")
        ax0.plot([x0 + h], [f(x0 + h)], "o", color="C0", alpha=alpha, ms=4)
    ax0.plot(x, f(x0) + df(x0) * (x - x0), "C3", label="tangent: slope f'(x0)")
    ax0.plot([x0], [f(x0)], "ko")
    ax0.set(ylim=(-1, 3), xlabel="x", title="derivative = slope of the tangent")
    ax0.legend(fontsize=7, loc="lower right")
    g = np.linspace(-2, 2, 41)
    x1, x2 = np.meshgrid(g, g)
    ax1.contour(x1, x2, x1**2 + 3 * x2**2 + x1 * x2, levels=[0.5, 1.5, 3, 5, 8], colors="0.5", linewidths=1)
    P = np.array([[1.0, 0.0], [0.0, 0.6], [-0.9, 0.5], [0.5, -0.8], [-1.3, -0.4], [1.4, 0.7]])
    G = np.column_stack([2 * P[:, 0] + P[:, 1], 6 * P[:, 1] + P[:, 0]])   # ∇f at each point
    G = 0.5 * G / np.linalg.norm(G, axis=1, keepdims=True)               # same length, for reading
    ax1.quiver(P[:, 0], P[:, 1], G[:, 0], G[:, 1], color="C3", angles="xy", scale_units="xy", scale=1)
    ax1.set(aspect="equal", xlabel="$x_1$", ylabel="$x_2$", title="∇f points uphill, across contours")
    fig.tight_layout()
    return fig


def plot_step_error():
    """Error of forward and central differences against h, log-log: the V of truncation and round-off."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    hs = np.logspace(-13, -1, 25)
    fig, axes = plt.subplots(1, 2, figsize=(7, 3), sharey=True)
    for ax, dtype in zip(axes, (np.float64, np.float32)):
        for method, color in [("forward", "C0"), ("central", "C3")]:
            ax.loglog(hs, step_errors(hs, dtype, method), "o-", color=color, ms=3, label=method)
            ax.axvline(best_step(dtype, method)[0], color=color, ls=":", lw=1, label=f"{method}: best h, eq. (22)")
        ax.set(title=f"{dtype.__name__}: d/dx sin(x) at x = 1", xlabel="step h", ylim=(1e-13, 1e1))
    axes[0].set_ylabel("|error|")
    axes[0].legend(fontsize=7, loc="upper center")
    fig.tight_layout()
    return fig


def check():
    """Max |from scratch - torch.autograd| in float64, for several functions."""
    lib = lambda x: torch if isinstance(x, torch.Tensor) else np  # one formula serves both libraries
    W, x = example()
    x1, x4 = 0.7, np.random.default_rng(0).normal(size=4)         # a scalar and a (4,) input
    scalars = {"sin(x) exp(x)": lambda x: lib(x).sin(x) * lib(x).exp(x),
               "log(1 + x²)": lambda x: lib(x).log(1 + x**2), "x³ - 2x": lambda x: x**3 - 2 * x}
    scalar_fields = {"sum(x³)/3": lambda x: (x**3).sum() / 3,
                     "log(sum(exp(x)))": lambda x: lib(x).log(lib(x).exp(x).sum()),
                     "x0 sin(x1) x2² x3": lambda x: x[0] * lib(x).sin(x[1]) * x[2] ** 2 * x[3]}
    fields = {"tanh(Wx)": (lambda x: lib(x).tanh(lib(x).asarray(W) @ x), x),
              "polar -> cartesian": (lambda x: lib(x).stack([x[0] * lib(x).cos(x[1]),
                                                             x[0] * lib(x).sin(x[1])]), x4[:2])}
    def autograd(f, x):                                            # ∇f at x by torch, float64
        t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        return torch.autograd.grad(f(t), t)[0]
    rows = [(f"numerical_derivative {k}", numerical_derivative(f, x1), autograd(f, x1)) for k, f in scalars.items()]
    rows += [(f"numerical_gradient {k}", numerical_gradient(f, x4), autograd(f, x4)) for k, f in scalar_fields.items()]
    rows += [(f"numerical_jacobian {k}", numerical_jacobian(f, x0), jacobian(f, torch.tensor(x0)))
             for k, (f, x0) in fields.items()]
    print("max |from scratch - torch.autograd|, float64 (finite differences with h = 1e-5)")
    for name, ours, theirs in rows + hand_rows():
        print(f"  {name:<40} {np.abs(np.asarray(ours) - theirs.detach().numpy()).max():.1e}")


def hand_rows(seed=1):
    """(name, hand-derived formula, autograd) for eqs. (11)-(19); the tests add finite differences."""
    rng = np.random.default_rng(seed)
    X, W, Y = rng.normal(size=(5, 3)), rng.normal(size=(2, 3)), rng.normal(size=(5, 2))  # (N, d), (m, d), (N, m)
    a, v, x, w, u = rng.normal(size=2), rng.normal(size=2), X[0], X[1], X[2]
    Xt, Wt, Yt, xt, wt, at = (torch.tensor(t, requires_grad=True) for t in (X, W, Y, x, w, a))
    Wx = lambda x_: torch.tensor(W) @ x_
    f = lambda x_: torch.tanh(Wx(x_))
    grad = lambda out, wrt: torch.autograd.grad(out, wrt)[0]
    dW, dX = grad_least_squares(X, W, Y)
    J = lambda: 0.5 * ((Xt @ Wt.T - Yt) ** 2).sum()
    return [("eq. (11) x·w wrt w is x", x, grad(xt @ wt, wt)),
            ("eq. (12) Wx wrt x is W", W, jacobian(Wx, torch.tensor(x))),
            ("eq. (13) aᵀWx wrt W", grad_aWx(a, W, x), grad(at @ Wt @ xt, Wt)),
            ("eq. (15) least squares wrt W", dW, grad(J(), Wt)),
            ("eq. (16) least squares wrt X", dX, grad(J(), Xt)),
            ("eq. (17) tanh elementwise", jacobian_elementwise(lambda z: 1 - np.tanh(z) ** 2, x),
             jacobian(torch.tanh, torch.tensor(x))),
            ("eq. (18) tanh(Wx) Jacobian", jacobian_tanh_layer(W, x), jacobian(f, torch.tensor(x))),
            ("eq. (19) VJP vᵀJ", vjp_tanh_layer(W, x, v), vjp(f, torch.tensor(x), torch.tensor(v))[1]),
            ("eq. (19) JVP J u", jvp_tanh_layer(W, x, u), jvp(f, torch.tensor(x), torch.tensor(u))[1])]


def rate():
    J, dJ = (lambda w: (w - 3.0) ** 2), (lambda w: 2 * (w - 3.0))
    for w in (1.0, 2.9):
        print(f"J(w) = (w - 3)², w = {w}: dJ/dw = {dJ(w):+.2f}\n     Δw     J(w+Δw) - J(w)   dJ/dw · Δw    gap")
        for dw, true, pred in local_rate(J, dJ, w, [0.1, 0.01, 0.001]):
            print(f"  {dw:>6}   {true:+.6f}       {pred:+.6f}     {true - pred:.0e}")


def steps():
    hs, grid = [1e-1, 1e-3, 1e-5, 1e-7, 1e-9, 1e-11], np.logspace(-13, -1, 25)
    cases = [(dtype, method) for dtype in (np.float64, np.float32) for method in ("forward", "central")]
    print("error of d/dx sin(x) at x = 1 ('-': x + h rounds to x)\n" + " " * 17
          + "".join(f"{f'h = {h:.0e}':<11}" for h in hs).rstrip())
    for dtype, method in cases:
        errors = "".join(f"{v:<11.1e}" if np.isfinite(v) else f"{'-':<11}" for v in step_errors(hs, dtype, method))
        print(f"{dtype.__name__} {method:<8} {errors}".rstrip())
    print("\nbest h by eq. (22), with machine epsilon eps; measured on 25 steps from 1e-13 to 1e-1")
    for dtype, method in cases:
        (h, e), errs = best_step(dtype, method), step_errors(grid, dtype, method)
        k = np.nanargmin(errs)
        print(f"{dtype.__name__} {method:<8} eps = {np.finfo(dtype).eps:.1e}: predicted h = {h:.0e} "
              f"(error bound {e:.0e}); measured best h = {grid[k]:.0e} (error there {errs[k]:.0e})")


def pitfalls():
    print("1. ∇ sum(x²) at integer x = [1, 2, 3] by the naive loop:", pitfall_integer(), "(true: [2 4 6])")
    try:
        numerical_gradient(lambda v: np.sum(v**2), np.array([1, 2, 3]))
    except TypeError as err:
        print("   numerical_gradient refuses it: TypeError:", err)
    e = step_errors([1e-1, 1e-5, 1e-12], np.float64, "central")
    print(f"2. central difference error, float64: h = 1e-1: {e[0]:.0e}, h = 1e-5: {e[1]:.0e}, h = 1e-12: {e[2]:.0e}")
    errors, ok = pitfall_float32_check()
    print(f"3. a correct ∂J/∂W checked by finite differences: relative error float32 {errors['float32']:.0e}, "
          f"float64 {errors['float64']:.0e}")
    print(f"   torch.autograd.gradcheck(torch.sin): float32 passes? {ok['torch.float32']}; "
          f"float64 passes? {ok['torch.float64']}")
    wrong, right, shape = pitfall_transposed()
    print(f"4. square W: relative error of XᵀR {wrong:.2f}, of RᵀX {right:.0e}; "
          f"with W (2, 3), XᵀR has shape {shape}")
    numeric, auto = pitfall_kink()
    print(f"5. relu'(0): central difference {numeric}, torch.autograd {auto}")


if __name__ == "__main__":
    if "--check" in sys.argv:
        check()
    elif "--rate" in sys.argv:
        rate()
    elif "--steps" in sys.argv:
        steps()
    elif "--pitfalls" in sys.argv:
        pitfalls()
    else:
        # --8<-- [start:demo]
        scratch_demo()
        # --8<-- [end:demo]
        # --8<-- [start:demo_torch]
        torch_demo()
        # --8<-- [end:demo_torch]
