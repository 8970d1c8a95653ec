"""Tests for code/foundations/calculus.py (page: docs/foundations/calculus.md).

The finite-difference tools equal torch.autograd in float64 on several functions; every hand-derived
matrix derivative equals torch.autograd and central differences and has the shape of its variable; the
error of forward and central differences behaves as derived (O(h), O(h²), round-off at small h); bad input
raises an error that names what was expected; every pitfall shows its symptom; the exercises hold.
"""
import re

import numpy as np
import pytest
import torch
from torch.autograd.functional import jacobian, jvp, vjp

import calculus as calc

TOL = 1e-12                # hand formulas vs autograd: only rounding may differ
FD_TOL = 1e-8              # central differences (h = 1e-5) vs autograd, float64, values of order 1


def rand(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape)


def leaf(a):
    return torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=True)


def lib(x):
    """One formula for both libraries, so that NumPy and torch evaluate the same function."""
    return torch if isinstance(x, torch.Tensor) else np


SCALAR_FUNCTIONS = {
    "sin*exp": lambda x: lib(x).sin(x) * lib(x).exp(x),
    "log(1+x^2)": lambda x: lib(x).log(1 + x**2),
    "cubic": lambda x: x**3 - 2 * x,
    "tanh(3x)": lambda x: lib(x).tanh(3 * x),
}
SCALAR_FIELDS = {   # f: array -> scalar
    "sum cubes": lambda x: (x**3).sum() / 3,
    "logsumexp": lambda x: lib(x).log(lib(x).exp(x).sum()),
    "product": lambda x: (lib(x).sin(x) * x**2).prod(),
    "norm": lambda x: lib(x).sqrt((x**2).sum()),
}
VECTOR_FIELDS = {   # f: (n,) -> (m,)
    "polar": lambda x: lib(x).stack([x[0] * lib(x).cos(x[1]), x[0] * lib(x).sin(x[1])]),
    "softmax": lambda x: lib(x).exp(x) / lib(x).exp(x).sum(),
    "outer mix": lambda x: lib(x).stack([x[0] * x[1], x[1] ** 2, lib(x).exp(x[2]), x[0] - x[2]]),
}


# --- numerical_derivative, numerical_gradient, numerical_jacobian against torch.autograd -------------

@pytest.mark.parametrize("name", SCALAR_FUNCTIONS)
@pytest.mark.parametrize("x0", [-1.3, 0.2, 0.7])
def test_numerical_derivative_matches_autograd(name, x0):
    f = SCALAR_FUNCTIONS[name]
    t = leaf(x0)
    (expected,) = torch.autograd.grad(f(t), t)
    assert abs(calc.numerical_derivative(f, x0) - expected.item()) < FD_TOL
    # the forward difference is only first order: error about (h/2)|f''| with h = 1e-5
    assert abs(calc.numerical_derivative(f, x0, method="forward") - expected.item()) < 1e-3


@pytest.mark.parametrize("name", SCALAR_FIELDS)
@pytest.mark.parametrize("shape", [(4,), (2, 3), (1,)])
def test_numerical_gradient_matches_autograd_and_has_the_shape_of_x(name, shape):
    f = SCALAR_FIELDS[name]
    x = rand(*shape, seed=3) * 0.8
    t = leaf(x)
    (expected,) = torch.autograd.grad(f(t), t)
    grad = calc.numerical_gradient(f, x)
    assert grad.shape == x.shape == tuple(expected.shape)
    assert np.abs(grad - expected.numpy()).max() < FD_TOL


def test_numerical_gradient_of_a_scalar_input_is_a_scalar():
    assert calc.numerical_gradient(np.sin, np.float64(0.4)).shape == ()
    assert abs(calc.numerical_gradient(np.sin, np.float64(0.4)) - np.cos(0.4)) < FD_TOL


@pytest.mark.parametrize("name, n", [("polar", 2), ("softmax", 5), ("outer mix", 3)])
def test_numerical_jacobian_matches_torch_jacobian(name, n):
    f = VECTOR_FIELDS[name]
    x = rand(n, seed=4)
    J = calc.numerical_jacobian(f, x)
    expected = jacobian(f, torch.tensor(x)).numpy()
    assert J.shape == expected.shape == (f(x).size, n)                 # (m, n): rows are outputs
    assert np.abs(J - expected).max() < FD_TOL


def test_jacobian_of_a_linear_map_is_its_matrix_and_rows_are_outputs():
    W = rand(2, 5, seed=1)
    J = calc.numerical_jacobian(lambda x: W @ x, rand(5))
    assert J.shape == (2, 5)
    assert np.abs(J - W).max() < 1e-9                                  # eq. (12), and not Wᵀ


def test_finite_differences_do_not_modify_x():
    x = rand(3, seed=2)
    before = x.copy()
    calc.numerical_gradient(lambda v: np.sum(v**2), x)
    calc.numerical_jacobian(lambda v: v**2, x)
    assert np.array_equal(x, before)


def test_float32_input_gives_float32_output_of_lower_accuracy():
    d = calc.numerical_derivative(np.sin, np.float32(1.0), h=1e-2)
    assert d.dtype == np.float32
    assert 1e-7 < abs(float(d) - np.cos(1.0)) < 1e-3                  # float32: a few digits only


# --- the error of finite differences -------------------------------------------------------------

def test_forward_difference_is_first_order_and_central_second_order():
    # in the truncation regime, dividing h by 10 divides the error by 10 (eq. 20) or 100 (eq. 21)
    fwd = calc.step_errors([1e-2, 1e-3], np.float64, "forward")
    cen = calc.step_errors([1e-2, 1e-3], np.float64, "central")
    assert 9 < fwd[0] / fwd[1] < 11
    assert 90 < cen[0] / cen[1] < 110
    # and the leading terms are (h/2)|f''| and (h²/6)|f'''| for sin at 1
    assert abs(fwd[1] - 1e-3 / 2 * np.sin(1.0)) < 1e-5
    assert abs(cen[0] - 1e-4 / 6 * np.cos(1.0)) < 1e-8


def test_central_difference_is_exact_for_a_quadratic_up_to_rounding():
    f = lambda x: 3 * x**2 - x + 2                                       # f''' = 0: no truncation error
    assert abs(calc.numerical_derivative(f, 0.5, h=0.5) - 2.0) < 1e-13


def test_error_against_h_is_a_v():
    hs = np.logspace(-13, -1, 25)
    for dtype in (np.float64, np.float32):
        for method in ("forward", "central"):
            e = calc.step_errors(hs, dtype, method)
            k = np.nanargmin(e)
            assert 0 < k < len(hs) - 1                                   # the bottom is inside the range
            assert e[-1] > 10 * e[k] and np.nanmax(e[:k]) > 10 * e[k]    # both arms rise
            h_pred, _ = calc.best_step(dtype, method)
            assert h_pred / 30 < hs[k] < h_pred * 30                     # eq. (22) locates the bottom


def test_float32_errors_are_far_larger_and_tiny_h_is_impossible():
    hs = np.logspace(-13, -1, 25)
    e64, e32 = (calc.step_errors(hs, dt, "central") for dt in (np.float64, np.float32))
    assert np.nanmin(e32) > 1e3 * np.nanmin(e64)
    assert np.isnan(e32[0]) and not np.isnan(e64[0])                     # 1 + 1e-13 rounds to 1 in float32


def test_best_step_formulas():
    h, e = calc.best_step(np.float64, "central")
    eps = np.finfo(np.float64).eps
    assert h == pytest.approx((3 * eps * np.sin(1.0) / np.cos(1.0)) ** (1 / 3))
    assert e == pytest.approx(h**2 / 2 * np.cos(1.0))                    # at the optimum: E = h²|f'''|/2
    h, e = calc.best_step(np.float64, "forward")
    assert h == pytest.approx(2 * np.sqrt(eps)) and e == pytest.approx(2 * np.sqrt(eps) * np.sin(1.0))


def test_relative_error():
    a = np.array([1.0, -2.0, 3.0])
    assert calc.relative_error(a, a) == 0.0
    assert calc.relative_error(np.zeros(2), np.zeros(2)) == 0.0
    assert calc.relative_error(a, a + [0, 0, 3e-6]) == pytest.approx(3e-6 / (3 + 3e-6))
    assert calc.relative_error(1e6 * a, 1e6 * (a + [0, 0, 3e-6])) == pytest.approx(3e-6 / (3 + 3e-6))
    with pytest.raises(ValueError, match=r"same shape, got \(2, 3\) and \(3, 2\)"):
        calc.relative_error(np.ones((2, 3)), np.ones((3, 2)))


# --- the derivative as a local rate ---------------------------------------------------------------

def test_local_rate_prediction_error_shrinks_like_dw_squared():
    J, dJ = (lambda w: (w - 3.0) ** 2), (lambda w: 2 * (w - 3.0))
    for w in (1.0, 2.9):
        for dw, true, pred in calc.local_rate(J, dJ, w, [0.1, 0.01, 0.001]):
            assert true - pred == pytest.approx(dw**2, rel=1e-6)        # ½ J'' Δw² with J'' = 2
            assert abs(true / pred - 1) <= dw / abs(dJ(w)) + 1e-9       # the rate predicts the change
    # same sign, different size: the size is the rate
    (_, true_far, _), = calc.local_rate(J, dJ, 1.0, [0.01])
    (_, true_near, _), = calc.local_rate(J, dJ, 2.9, [0.01])
    assert true_far < 0 and true_near < 0 and true_far / true_near > 15


# --- hand-derived matrix derivatives: autograd and finite differences --------------------------------

def test_dot_gradient_is_x_eq_11():
    x, w = rand(4), rand(4, seed=1)
    wt = leaf(w)
    (g,) = torch.autograd.grad(torch.tensor(x) @ wt, wt)
    assert np.abs(g.numpy() - x).max() < TOL
    assert np.abs(calc.numerical_gradient(lambda w_: x @ w_, w) - x).max() < FD_TOL


def test_matvec_jacobian_is_W_eq_12():
    W, x = rand(3, 4), rand(4, seed=1)
    J = jacobian(lambda x_: torch.tensor(W) @ x_, torch.tensor(x)).numpy()
    assert J.shape == W.shape and np.abs(J - W).max() < TOL


@pytest.mark.parametrize("m, n", [(2, 3), (3, 3), (1, 4)])
def test_bilinear_gradient_is_outer_a_x_eq_13(m, n):
    a, W, x = rand(m), rand(m, n, seed=1), rand(n, seed=2)
    G = calc.grad_aWx(a, W, x)
    Wt = leaf(W)
    (expected,) = torch.autograd.grad(torch.tensor(a) @ Wt @ torch.tensor(x), Wt)
    assert G.shape == W.shape
    assert np.abs(G - expected.numpy()).max() < TOL
    assert np.abs(G - calc.numerical_gradient(lambda W_: a @ W_ @ x, W)).max() < FD_TOL


@pytest.mark.parametrize("N, d, m", [(5, 3, 2), (4, 3, 3), (1, 2, 1), (6, 1, 4)])
def test_least_squares_gradients_eqs_15_16(N, d, m):
    X, W, Y = rand(N, d), rand(m, d, seed=1), rand(N, m, seed=2)
    dW, dX = calc.grad_least_squares(X, W, Y)
    assert dW.shape == W.shape == (m, d) and dX.shape == X.shape == (N, d)   # the variable's shape
    Xt, Wt = leaf(X), leaf(W)
    J = 0.5 * ((Xt @ Wt.T - torch.tensor(Y)) ** 2).sum()
    assert abs(calc.least_squares(X, W, Y) - J.item()) < TOL
    gX, gW = torch.autograd.grad(J, (Xt, Wt))
    assert np.abs(dW - gW.numpy()).max() < TOL and np.abs(dX - gX.numpy()).max() < TOL
    assert np.abs(dW - calc.numerical_gradient(lambda W_: calc.least_squares(X, W_, Y), W)).max() < 1e-7
    assert np.abs(dX - calc.numerical_gradient(lambda X_: calc.least_squares(X_, W, Y), X)).max() < 1e-7


def test_least_squares_gradient_is_the_layer_gradient_with_dZ_equal_R():
    # with Z = X Wᵀ, ∂J/∂Z = R, and eq. (15) is the forward-pass page's dW = dZᵀ X
    X, W, Y = rand(5, 3), rand(2, 3, seed=1), rand(5, 2, seed=2)
    Zt = torch.tensor(X) @ torch.tensor(W).T
    Zt.requires_grad_(True)
    (dZ,) = torch.autograd.grad(0.5 * ((Zt - torch.tensor(Y)) ** 2).sum(), Zt)
    assert np.abs(dZ.numpy().T @ X - calc.grad_least_squares(X, W, Y)[0]).max() < TOL


@pytest.mark.parametrize("g, dg, tg", [
    (np.tanh, lambda z: 1 - np.tanh(z) ** 2, torch.tanh),
    (lambda z: 1 / (1 + np.exp(-z)), lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2, torch.sigmoid),
    (np.sin, np.cos, torch.sin),
])
def test_elementwise_jacobian_is_diagonal_eq_17(g, dg, tg):
    z = rand(4, seed=5)
    J = calc.jacobian_elementwise(dg, z)
    assert J.shape == (4, 4)
    assert np.count_nonzero(J - np.diag(np.diag(J))) == 0                 # off-diagonal entries are 0
    assert np.abs(J - jacobian(tg, torch.tensor(z)).numpy()).max() < TOL
    assert np.abs(J - calc.numerical_jacobian(g, z)).max() < FD_TOL
    v = rand(4, seed=6)
    assert np.abs(v @ J - v * dg(z)).max() < TOL                          # the VJP is an elementwise product


@pytest.mark.parametrize("m, n", [(2, 3), (4, 2), (1, 1)])
def test_tanh_layer_jacobian_vjp_jvp_eqs_18_19(m, n):
    W, x, v, u = rand(m, n), rand(n, seed=1), rand(m, seed=2), rand(n, seed=3)
    f = lambda x_: torch.tanh(torch.tensor(W) @ x_)
    J = calc.jacobian_tanh_layer(W, x)
    assert J.shape == (m, n)
    assert np.abs(J - jacobian(f, torch.tensor(x)).numpy()).max() < TOL
    assert np.abs(J - calc.numerical_jacobian(lambda x_: calc.tanh_layer(W, x_), x)).max() < FD_TOL
    # eq. (9): the chain rule is the product of the two Jacobians, eqs. (17) and (12)
    chain = calc.jacobian_elementwise(lambda z: 1 - np.tanh(z) ** 2, W @ x) @ W
    assert np.abs(J - chain).max() < TOL
    assert np.abs(calc.vjp_tanh_layer(W, x, v) - vjp(f, torch.tensor(x), torch.tensor(v))[1].numpy()).max() < TOL
    assert np.abs(calc.jvp_tanh_layer(W, x, u) - jvp(f, torch.tensor(x), torch.tensor(u))[1].numpy()).max() < TOL
    assert np.abs(calc.vjp_tanh_layer(W, x, v) - v @ J).max() < TOL
    assert np.abs(calc.jvp_tanh_layer(W, x, u) - J @ u).max() < TOL


def test_multivariable_chain_rule_sums_over_paths_exercise_1():
    t = np.array([-0.4, 0.3, 1.1, 2.0])
    assert np.abs(calc.dz_dt(t) - np.cos(2 * t)).max() < TOL
    for ti in t:
        assert abs(calc.numerical_derivative(calc.z_of_t, ti) - calc.dz_dt(ti)) < FD_TOL
        tt = leaf(ti)
        (g,) = torch.autograd.grad(torch.cos(tt) * torch.sin(tt), tt)
        assert abs(g.item() - calc.dz_dt(ti)) < TOL
    # one path alone is not the derivative
    x, y = np.cos(t), np.sin(t)
    assert np.abs(y * -np.sin(t) - np.cos(2 * t)).max() > 0.1


# --- bad input --------------------------------------------------------------------------------------

@pytest.mark.parametrize("h", [0, 0.0, -1e-5, np.nan, np.inf, "1e-5", True, None])
@pytest.mark.parametrize("which", ["derivative", "gradient", "jacobian"])
def test_bad_step_raises(h, which):
    call = {"derivative": lambda: calc.numerical_derivative(np.sin, 1.0, h=h),
            "gradient": lambda: calc.numerical_gradient(np.sum, np.ones(2), h=h),
            "jacobian": lambda: calc.numerical_jacobian(np.sin, np.ones(2), h=h)}[which]
    with pytest.raises(ValueError, match=r"h must be a positive finite step, such as 1e-5, got"):
        call()


@pytest.mark.parametrize("x", [np.array([1, 2, 3]), np.array([True, False]), 2, np.array([1, 2], dtype=np.int32)])
def test_integer_input_raises_type_error(x):
    match = r"x must be a floating-point array \(use float64 for gradient checks\), got dtype (int|bool)"
    with pytest.raises(TypeError, match=match):
        calc.numerical_gradient(lambda v: np.sum(v**2), x)
    with pytest.raises(TypeError, match=match):
        if np.ndim(x) == 0:
            calc.numerical_derivative(np.sin, x)
        else:
            calc.numerical_jacobian(lambda v: v**2, x)


def test_wrong_shapes_raise():
    with pytest.raises(ValueError, match=r"x must be a scalar \(shape \(\)\), got shape \(3,\)"):
        calc.numerical_derivative(np.sin, np.ones(3))
    with pytest.raises(ValueError, match=r"f\(x\) must be a scalar, got shape \(3,\); for a vector f use"):
        calc.numerical_gradient(np.sin, np.ones(3))
    with pytest.raises(ValueError, match=r"x must have shape \(n,\), got \(2, 2\)"):
        calc.numerical_jacobian(np.sin, np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"f\(x\) must have shape \(m,\), got \(\)"):
        calc.numerical_jacobian(np.sum, np.ones(3))
    with pytest.raises(ValueError, match=r"need X \(N, d\), W \(m, d\), Y \(N, m\); got X \(4, 3\), W \(3, 2\)"):
        calc.least_squares(np.ones((4, 3)), np.ones((3, 2)), np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"got X \(4, 3\), W \(2, 3\), Y \(2, 4\)"):
        calc.grad_least_squares(np.ones((4, 3)), np.ones((2, 3)), np.ones((2, 4)))
    with pytest.raises(ValueError, match=r"a must have shape \(2,\), got \(3,\)"):
        calc.grad_aWx(np.ones(3), np.ones((2, 3)), np.ones(3))
    with pytest.raises(ValueError, match=r"x must have shape \(3,\), got \(2,\)"):
        calc.grad_aWx(np.ones(2), np.ones((2, 3)), np.ones(2))
    with pytest.raises(ValueError, match=r"W must have shape \(m, n\), got \(3,\)"):
        calc.grad_aWx(np.ones(2), np.ones(3), np.ones(3))
    with pytest.raises(ValueError, match=r"z must have shape \(n,\), got \(2, 2\)"):
        calc.jacobian_elementwise(np.cos, np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"method must be 'central' or 'forward', got 'backward'"):
        calc.numerical_derivative(np.sin, 1.0, method="backward")


def test_step_below_the_float_spacing_raises():
    with pytest.raises(ValueError, match=r"h = 1e-09 is too small for x = 1.0 in float32: x \+ h rounds to x"):
        calc.numerical_derivative(np.sin, np.float32(1.0), h=1e-9)
    match = r"too small for x\[1\] = 100000000.0 in float64: x \+ h rounds to x \(spacing 1.5e-08\)"
    with pytest.raises(ValueError, match=match):
        calc.numerical_gradient(np.sum, np.array([1.0, 1e8]), h=1e-9)
    with pytest.raises(ValueError, match=r"h = 1e-09 is too small for x = 1.0 in float32"):
        calc.numerical_derivative(np.sin, np.float32(1.0), h=1e-9, method="forward")


def test_extreme_but_valid_input_stays_finite():
    # logsumexp written stably; finite differences at large |x| with a step scaled to x
    f = lambda x: x.max() + np.log(np.exp(x - x.max()).sum())
    x = np.array([1e4, -1e4, 0.0])
    g = calc.numerical_gradient(f, x, h=1e-2)
    assert np.all(np.isfinite(g)) and np.abs(g - [1.0, 0.0, 0.0]).max() < 1e-8


# --- pitfalls ---------------------------------------------------------------------------------------

def test_pitfall_integer_input_gives_garbage_silently():
    g = calc.pitfall_integer()
    assert not np.allclose(g, [2, 4, 6])
    assert np.allclose(g, [5e4, 1.5e5, 2.5e5])                            # (f(x) - f(x with x_i - 1)) / 2h
    x = np.array([1.0, 2.0, 3.0])                                         # the same loop on floats is right
    assert np.abs(calc.naive_gradient(lambda v: np.sum(v**2), x) - [2, 4, 6]).max() < FD_TOL


def test_pitfall_float32_gradient_check():
    errors, ok = calc.pitfall_float32_check()
    assert errors["float32"] > 1e-4 and errors["float64"] < 1e-8
    assert ok == {"torch.float32": False, "torch.float64": True}


def test_pitfall_transposed_gradient():
    wrong, right, shape = calc.pitfall_transposed()
    assert wrong > 0.1 and right < 1e-8
    assert shape == (3, 2)                                                # W is (2, 3)


def test_pitfall_kink():
    numeric, auto = calc.pitfall_kink()
    assert numeric == pytest.approx(0.5) and auto == 0.0


def test_pitfall_h_too_large_or_too_small():
    e = calc.step_errors([1e-1, 1e-5, 1e-12], np.float64, "central")
    assert e[1] < 1e-9 and e[0] > 1e3 * e[1] and e[2] > 1e3 * e[1]


# --- exercises --------------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", [0, 1, 2])
def test_exercise_quadratic_form(seed):
    A, x = rand(3, 3, seed=seed), rand(3, seed=seed + 10)                # A not symmetric
    g = calc.grad_quadratic(A, x)
    xt = leaf(x)
    (expected,) = torch.autograd.grad(xt @ torch.tensor(A) @ xt, xt)
    assert g.shape == x.shape and np.abs(g - expected.numpy()).max() < TOL
    assert np.abs(g - calc.numerical_gradient(lambda v: v @ A @ v, x)).max() < FD_TOL
    assert np.abs(g - 2 * A @ x).max() > 1e-3                             # 2Ax holds only for symmetric A


def test_exercise_linear_regression_gradient_has_the_shape_of_w():
    # J(w) = ½||Xw - y||²: ∂J/∂w = Xᵀ(Xw - y), shape (d,); eq. (15) with m = 1 gives its transpose (1, d)
    X, w, y = rand(6, 3), rand(3, seed=1), rand(6, seed=2)
    g = X.T @ (X @ w - y)
    assert g.shape == w.shape
    assert np.abs(g - calc.numerical_gradient(lambda w_: 0.5 * np.sum((X @ w_ - y) ** 2), w)).max() < 1e-7
    dW, _ = calc.grad_least_squares(X, w[None, :], y[:, None])
    assert dW.shape == (1, 3) and np.abs(dW[0] - g).max() < TOL


@pytest.mark.parametrize("m, n", [(2, 3), (4, 2)])
def test_exercise_jacobian_from_vjps_and_jvps(m, n):
    W, x = torch.tensor(rand(m, n)), torch.tensor(rand(n, seed=1))
    f = lambda x_: torch.tanh(W @ x_)
    expected = jacobian(f, x)
    assert torch.allclose(calc.jacobian_by_vjps(f, x, m), expected, atol=TOL, rtol=0)
    assert torch.allclose(calc.jacobian_by_jvps(f, x), expected, atol=TOL, rtol=0)


# --- the demos, the --check output and the figures ----------------------------------------------------



def test_check_output_every_difference_is_small(run_main):
    out = run_main(calc, "--check")
    values = [float(v) for v in re.findall(r"(\d\.\de[+-]\d\d)$", out, re.M)]
    assert len(values) == 17
    assert max(values) < 1e-9


@pytest.mark.parametrize("flag, expected", [
    ("", "numerical_jacobian, shape (2, 3)"), ("--rate", "dJ/dw = -4.00"),
    ("--steps", "float32 central"), ("--pitfalls", "5. relu'(0): central difference 0.5"),
])
def test_command_line_modes_run(run_main, flag, expected):
    assert expected in run_main(calc, *([flag] if flag else []))


def test_figures():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig = calc.plot_step_error()
    assert len(fig.axes) == 2 and all(len(ax.get_lines()) >= 4 for ax in fig.axes)
    plt.close(fig)
    fig = calc.plot_derivative_and_gradient()
    assert len(fig.axes) == 2
    plt.close(fig)
