"""Tests for code/foundations/activations.py: every activation and its hand-derived derivative against PyTorch
(values and autograd, float64) and central finite differences; softmax, its Jacobian and its VJP; stability at
±1e4; bad input; the pitfalls and the exercise solutions."""
import math
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import activations as act

TOL = 1e-12                                         # float64: only rounding may differ
NAMES = list(act.ACTIVATIONS)                       # identity, step, sigmoid, ..., softplus


def rand(*shape, seed=0, scale=3.0):
    return scale * np.random.default_rng(seed).normal(size=shape)


def off_kinks(z):
    return z[np.abs(z) > 1e-3]                      # step, ReLU and leaky ReLU have no derivative at 0


def torch_value_and_grad(name, z):
    t = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    a = act.TORCH[name][1](t)
    if name == "step":                              # autograd has no derivative for heaviside
        return a.detach().numpy(), None
    (grad,) = torch.autograd.grad(a.sum(), t)       # elementwise: the sum's gradient is g'(z)
    return a.detach().numpy(), grad.numpy()


# --- every elementwise activation: values, derivatives ------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_values_match_pytorch(name):
    z = np.concatenate([rand(50), [0.0, -0.0, 1.0, -1.0]])
    g, _ = act.ACTIVATIONS[name]
    ours, theirs = g(z), torch_value_and_grad(name, z)[0]
    assert ours.shape == z.shape and ours.dtype == np.float64
    assert np.abs(ours - theirs).max() < TOL


@pytest.mark.parametrize("name", [n for n in NAMES if n != "step"])
def test_derivatives_match_autograd(name):
    z = np.concatenate([rand(50, seed=1), [0.0]])   # at 0 too: the conventions must agree with PyTorch's
    _, g_grad = act.ACTIVATIONS[name]
    assert np.abs(g_grad(z) - torch_value_and_grad(name, z)[1]).max() < TOL


@pytest.mark.parametrize("name", NAMES)
def test_derivatives_match_finite_differences(name):
    z, h = off_kinks(rand(50, seed=2)), 1e-6
    g, g_grad = act.ACTIVATIONS[name]
    numeric = (g(z + h) - g(z - h)) / (2 * h)
    assert np.abs(g_grad(z) - numeric).max() < 1e-8


@pytest.mark.parametrize("slope", [0.0, 0.2, 0.5])
def test_leaky_relu_other_slopes(slope):
    z = np.concatenate([rand(20), [0.0]])
    t = torch.tensor(z, requires_grad=True)
    a = F.leaky_relu(t, negative_slope=slope)
    (grad,) = torch.autograd.grad(a.sum(), t)
    assert np.abs(act.leaky_relu(z, slope) - a.detach().numpy()).max() < TOL
    assert np.abs(act.leaky_relu_grad(z, slope) - grad.numpy()).max() < TOL


@pytest.mark.parametrize("alpha", [0.5, 2.0])
def test_elu_other_alphas(alpha):
    z = np.concatenate([rand(20), [0.0]])           # at 0 PyTorch takes the negative branch: alpha e^0
    t = torch.tensor(z, requires_grad=True)
    a = F.elu(t, alpha=alpha)
    (grad,) = torch.autograd.grad(a.sum(), t)
    assert np.abs(act.elu(z, alpha) - a.detach().numpy()).max() < TOL
    assert np.abs(act.elu_grad(z, alpha) - grad.numpy()).max() < TOL
    neg = z[z < 0]
    assert np.allclose(act.elu_grad(neg, alpha), act.elu(neg, alpha) + alpha, atol=TOL, rtol=0)


def test_conventions_at_zero():
    assert act.step(0.0) == 1.0 and act.step(-1e-300) == 0.0
    assert act.relu_grad(0.0) == 0.0 and act.leaky_relu_grad(0.0) == 0.01
    assert act.sigmoid_grad(0.0) == 0.25 and act.tanh_grad(0.0) == 1.0
    assert act.gelu_grad(0.0) == 0.5 and act.silu_grad(0.0) == 0.5 and act.softplus(0.0) == math.log(2)


# --- properties derived on the page ---------------------------------------------------------------

def test_sigmoid_identities():
    z = np.linspace(-10, 10, 2001)
    s = act.sigmoid(z)
    assert np.allclose(act.sigmoid(-z), 1 - s, atol=TOL, rtol=0)                 # σ(-z) = 1 - σ(z)
    assert np.allclose(act.sigmoid_grad(z), s * (1 - s), atol=TOL, rtol=0)       # eq. (4)
    assert act.sigmoid_grad(z).max() == 0.25 and z[act.sigmoid_grad(z).argmax()] == 0.0   # max 1/4 at 0
    assert np.all((s > 0) & (s < 1))


def test_tanh_is_a_rescaled_sigmoid():
    z = np.linspace(-10, 10, 2001)
    assert np.allclose(act.tanh(z), 2 * act.sigmoid(2 * z) - 1, atol=TOL, rtol=0)   # eq. (7)
    assert np.allclose(act.tanh_grad(z), 1 - act.tanh(z) ** 2, atol=TOL, rtol=0)   # eq. (6)
    assert act.tanh_grad(z).max() == 1.0


def test_saturation_bounds_eq_24():
    z = np.linspace(-30, 30, 601)
    assert np.all(act.sigmoid_grad(z) <= np.exp(-np.abs(z)))
    # 1 - tanh² is computed with an absolute rounding error of about 1e-16 (as in PyTorch): allow for it
    assert np.all(act.tanh_grad(z) <= 4 * np.exp(-2 * np.abs(z)) + 2.0 ** -52)
    assert act.sigmoid_grad(10.0) < 1e-4 and act.tanh_grad(10.0) < 1e-7 and act.relu_grad(10.0) == 1.0


def test_sigmoid_grad_keeps_tiny_values_where_s_times_1_minus_s_gives_zero():
    z = 40.0                                        # σ(40) rounds to exactly 1.0 in float64
    s = act.sigmoid(z)
    assert s == 1.0 and s * (1 - s) == 0.0
    exact = math.exp(-z) / (1 + math.exp(-z)) ** 2
    assert act.sigmoid_grad(z) == pytest.approx(exact, rel=1e-12)


def test_softplus_is_a_smooth_relu():
    z = np.linspace(-30, 30, 601)
    gap = act.softplus(z) - act.relu(z)             # log(1 + e^-|z|): in (0, log 2]
    assert np.all(gap > 0) and gap.max() == pytest.approx(math.log(2), abs=TOL)
    mid = z[np.abs(z) < 20]
    assert np.allclose(act.softplus(mid), np.log1p(np.exp(mid)), atol=TOL, rtol=0)
    assert np.allclose(act.softplus_grad(z), act.sigmoid(z), atol=0, rtol=0)    # eq. (18)


def test_softplus_vs_pytorch_threshold():
    # F.softplus returns z itself above threshold=20: it differs from the exact value by log(1 + e^-z) < 3e-9
    z = np.array([20.5, 25.0])
    ours, theirs = act.softplus(z), F.softplus(torch.tensor(z)).numpy()
    assert np.all(theirs == z) and np.all(ours > z)
    assert np.abs(ours - theirs).max() < 3e-9 and act.softplus(40.0) == 40.0   # e^-40 is below float64 spacing


def test_gelu_exact_and_tanh_differ_slightly():
    z = np.linspace(-6, 6, 1201)
    diff = np.abs(act.gelu(z) - act.gelu(z, approximate="tanh")).max()
    assert 1e-4 < diff < 1e-3                       # close, but not the same function
    t = torch.tensor(z)
    assert np.abs(act.gelu(z, "tanh") - F.gelu(t, approximate="tanh").numpy()).max() < TOL
    assert np.abs(act.gelu(z) - F.gelu(t).numpy()).max() < TOL


def test_gelu_and_silu_minima():
    z = np.linspace(-3, 0, 30001)
    for g, g_grad, low, high in [(act.gelu, act.gelu_grad, -0.171, -0.169), (act.silu, act.silu_grad, -0.279, -0.278)]:
        a = g(z)
        assert low < a.min() < high                 # they dip below 0, unlike ReLU
        assert abs(g_grad(z[a.argmin()])) < 1e-3    # where the derivative crosses zero


# --- stability at extreme inputs ------------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_extreme_inputs_are_finite_and_match_pytorch(name):
    z = np.array([-1e4, -1e3, -50.0, 50.0, 1e3, 1e4])
    g, g_grad = act.ACTIVATIONS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")              # no overflow warning either
        a, d = g(z), g_grad(z)
    assert np.all(np.isfinite(a)) and np.all(np.isfinite(d))
    theirs, their_grad = torch_value_and_grad(name, z)
    assert np.allclose(a, theirs, atol=1e-12, rtol=1e-15)
    if their_grad is not None:
        assert np.allclose(d, their_grad, atol=1e-12, rtol=0)


def test_extreme_values_are_exact():
    big = np.array([-1e4, 1e4])
    assert act.sigmoid(big).tolist() == [0.0, 1.0]
    assert act.softplus(big).tolist() == [0.0, 1e4]
    assert act.silu(big).tolist() == [0.0, 1e4] and act.gelu(big).tolist() == [0.0, 1e4]
    assert act.elu(big).tolist() == [-1.0, 1e4] and act.tanh(big).tolist() == [-1.0, 1.0]


def test_naive_sigmoid_gives_nan_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isnan(act.naive_sigmoid(1e4))
    assert act.sigmoid(1e4) == 1.0


# --- softmax, its Jacobian and its vector-Jacobian product ------------------------------------------

@pytest.mark.parametrize("shape, axis", [((5,), -1), ((4, 3), -1), ((4, 3), 0), ((2, 3, 4), -1), ((2, 3, 4), 1)])
def test_softmax_matches_torch(shape, axis):
    Z = rand(*shape, seed=3)
    S = act.softmax(Z, axis=axis)
    assert np.abs(S - torch.softmax(torch.tensor(Z), dim=axis).numpy()).max() < TOL
    assert np.allclose(S.sum(axis=axis), 1.0, atol=TOL) and np.all(S > 0)


@pytest.mark.parametrize("c", [-1000.0, -3.5, 0.0, 7.0, 1000.0])
def test_softmax_is_invariant_to_adding_a_constant(c):
    Z = rand(3, 4, seed=4)
    assert np.abs(act.softmax(Z + c) - act.softmax(Z)).max() < 1e-14


def test_softmax_extreme_logits_finite_and_correct():
    Z = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [1e4, 1e4, -1e4]])
    S = act.softmax(Z)
    assert np.all(np.isfinite(S))
    assert np.allclose(S, [[1, 0, 0], [1 / 3, 1 / 3, 1 / 3], [0.5, 0.5, 0]], atol=TOL, rtol=0)
    assert np.abs(S - torch.softmax(torch.tensor(Z), dim=-1).numpy()).max() < TOL


def test_naive_softmax_fails_there_without_warnings():
    Z = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")              # the errstate keeps overflow warnings in
        naive = act.naive_softmax(Z)
    assert np.isnan(naive[0, 0]) and np.all(np.isnan(naive[1]))
    assert np.allclose(act.naive_softmax(rand(2, 3)), act.softmax(rand(2, 3)), atol=TOL)   # fine for small z


@pytest.mark.parametrize("C", [1, 2, 5])
def test_softmax_jacobian_matches_autograd_and_finite_differences(C):
    z = rand(C, seed=5)
    J = act.softmax_jacobian(z)
    J_torch = torch.autograd.functional.jacobian(lambda t: torch.softmax(t, dim=-1), torch.tensor(z)).numpy()
    assert J.shape == (C, C) and np.abs(J - J_torch).max() < TOL
    h, E = 1e-6, np.eye(C)
    J_fd = np.column_stack([(act.softmax(z + h * E[j]) - act.softmax(z - h * E[j])) / (2 * h) for j in range(C)])
    assert np.abs(J - J_fd).max() < 1e-9


def test_softmax_jacobian_structure():
    z = rand(4, seed=6)
    s, J = act.softmax(z), act.softmax_jacobian(z)
    assert np.allclose(J, J.T, atol=TOL)                                          # symmetric
    assert np.allclose(J @ np.ones(4), 0, atol=TOL)                               # rows sum to 0: eq. (20)
    assert np.allclose(np.diag(J), s * (1 - s), atol=TOL)                         # s_i (1 - s_i) on the diagonal
    assert np.all(np.linalg.eigvalsh(J) > -TOL)                                   # positive semi-definite


def test_softmax_vjp_matches_autograd_and_the_jacobian():
    Z, G = rand(4, 5, seed=7), rand(4, 5, seed=8)
    Zt = torch.tensor(Z, requires_grad=True)
    (dZ,) = torch.autograd.grad(torch.softmax(Zt, dim=-1), Zt, grad_outputs=torch.tensor(G))
    ours = act.softmax_vjp(act.softmax(Z), G)
    assert np.abs(ours - dZ.numpy()).max() < TOL
    for n in range(4):                                                            # the same as Jᵀ g, row by row
        assert np.allclose(ours[n], act.softmax_jacobian(Z[n]).T @ G[n], atol=TOL)


def test_softmax_vjp_with_extreme_logits():
    Z, G = np.array([[1e4, -1e4, 0.0]]), np.array([[1.0, 2.0, 3.0]])
    ours = act.softmax_vjp(act.softmax(Z), G)
    Zt = torch.tensor(Z, requires_grad=True)
    (dZ,) = torch.autograd.grad(torch.softmax(Zt, dim=-1), Zt, grad_outputs=torch.tensor(G))
    assert np.all(np.isfinite(ours)) and np.abs(ours - dZ.numpy()).max() < TOL


# --- bad input ------------------------------------------------------------------------------------

@pytest.mark.parametrize("bad", ["abc", [1 + 2j], None, [1, "a"]])
def test_non_numbers_raise_type_error(bad):
    with pytest.raises(TypeError, match=r"z must be real numbers \(an integer or float array\), got dtype"):
        act.relu(bad)


@pytest.mark.parametrize("call, match", [
    (lambda: act.gelu(1.0, approximate=True), r"approximate must be 'none' or 'tanh' \(as in F.gelu\), got True"),
    (lambda: act.gelu_grad(1.0, approximate="erf"), r"approximate must be 'none' or 'tanh'"),
    (lambda: act.leaky_relu(1.0, negative_slope=1.5), r"negative_slope must be a number in \[0, 1\), got 1.5"),
    (lambda: act.leaky_relu_grad(1.0, negative_slope="0.1"), r"negative_slope must be a number in \[0, 1\)"),
    (lambda: act.elu(1.0, alpha=0.0), r"alpha must be a positive number, got 0.0"),
    (lambda: act.softmax(3.0), r"logits Z must have shape \(\.\.\., C\) with C >= 1 along axis -1, got \(\)"),
    (lambda: act.softmax(np.zeros((2, 0))), r"with C >= 1 along axis -1, got \(2, 0\)"),
    (lambda: act.softmax_jacobian(np.zeros((2, 3))),
     r"z must be one vector of logits with shape \(C,\), got shape \(2, 3\)"),
    (lambda: act.softmax_vjp(np.ones((2, 3)), np.ones((3, 2))),
     r"S and G must have the same shape \(N, C\), got \(2, 3\) and \(3, 2\)"),
])
def test_bad_parameters_and_shapes(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_integer_input_is_accepted_as_float64():
    assert act.relu([-2, 3]).tolist() == [0.0, 3.0] and act.softmax([0, 0]).tolist() == [0.5, 0.5]


# --- dead ReLUs and the step function ---------------------------------------------------------------

def test_neuron_grads_match_autograd():
    X, w, delta = rand(6, 3, seed=9), rand(3, seed=10), rand(6, seed=11)
    for g, g_grad, f in [(act.relu, act.relu_grad, F.relu), (act.gelu, act.gelu_grad, F.gelu),
                         (act.sigmoid, act.sigmoid_grad, torch.sigmoid)]:
        wt, bt = torch.tensor(w, requires_grad=True), torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
        (f(torch.tensor(X) @ wt + bt) * torch.tensor(delta)).sum().backward()     # so that ∂J/∂a = delta
        dw, db = act.neuron_grads(X, w, 0.3, delta, g_grad)
        assert np.abs(dw - wt.grad.numpy()).max() < TOL and abs(db - bt.grad.item()) < TOL


def test_dead_relu_neuron_gets_exactly_zero_gradient():
    X, w, delta = rand(20, 2, seed=12, scale=1.0), np.array([0.5, -0.5]), rand(20, seed=13)
    b = -10.0                                                                     # z < 0 for every example
    assert np.all(X @ w + b < 0)
    dw, db = act.neuron_grads(X, w, b, delta, act.relu_grad)
    assert np.all(dw == 0) and db == 0
    dw, db = act.neuron_grads(X, w, b, delta, act.leaky_relu_grad)                # leaky: still a gradient
    assert np.abs(dw).max() > 0 and db != 0


def test_dead_layer_in_pytorch():
    norms, dead = act.dead_layer_grads()
    assert norms[0] == 0.0 and np.all(norms[1:] > 0) and dead == 0.25


def test_dead_fraction():
    Z = np.array([[-1.0, 2.0, 0.0], [-3.0, -1.0, 0.0]])                         # unit 0 and 2 never positive
    assert act.dead_fraction(Z) == pytest.approx(2 / 3)


def test_step_gives_gradient_descent_nothing():
    X, w, delta = rand(10, 2, seed=14), rand(2, seed=15), rand(10, seed=16)
    dw, db = act.neuron_grads(X, w, 0.1, delta, act.step_grad)
    assert np.all(dw == 0) and db == 0
    messages = act.no_gradient_through_step()
    assert len(messages) == 2 and "heaviside is not implemented" in messages[0]
    assert "does not require grad" in messages[1]


def test_softmax_without_dim_normalizes_the_wrong_axis():
    wrong, right = act.softmax_wrong_axis()
    assert not torch.allclose(wrong, torch.ones_like(wrong)) and torch.allclose(right, torch.ones_like(right))


# --- exercises ------------------------------------------------------------------------------------

def test_exercise_tanh_grad_via_sigmoid():
    z = np.linspace(-10, 10, 401)
    assert np.abs(act.tanh_grad_via_sigmoid(z) - act.tanh_grad(z)).max() < TOL


def test_exercise_swish_limits():
    z = np.linspace(-5, 5, 1001)
    assert np.abs(act.swish(z, 1.0) - act.silu(z)).max() == 0.0                 # β = 1: SiLU
    assert np.abs(act.swish(z, 0.0) - z / 2).max() == 0.0                       # β = 0: z / 2
    for beta in (10.0, 100.0, 1000.0):                                           # β -> ∞: ReLU, gap ~ 0.28 / β
        assert np.abs(act.swish(z, beta) - act.relu(z)).max() < 0.3 / beta
    t = torch.tensor(z)
    assert np.abs(act.swish(z, 2.0) - (t * torch.sigmoid(2.0 * t)).numpy()).max() < TOL


def test_exercise_dead_neuron_stays_dead_with_relu_and_revives_with_leaky():
    relu_b = act.train_one_neuron(act.relu, act.relu_grad)
    leaky_b = act.train_one_neuron(lambda z: act.leaky_relu(z, 0.1), lambda z: act.leaky_relu_grad(z, 0.1))
    assert np.all(relu_b == -4.0)                                                # not one step moved it
    assert leaky_b[0] > -4.0 and leaky_b[-1] == pytest.approx(1.0, abs=0.05)   # back to the true bias 1


def test_exercise_gelu_approximations():
    errors = list(act.approximation_errors().values())                          # tanh, 1.702, √(8/π)
    assert errors[0] < 1e-3 < errors[1] < errors[2] < 0.05


# --- command line and figures ----------------------------------------------------------------------

def test_check_reports_tiny_differences(capsys):
    act.check()
    out = capsys.readouterr().out
    table = out.split("\n\n")[0].splitlines()[1:]
    numbers = [float(x) for line in table for x in line.split()[2:] if x[0].isdigit()]
    assert len(table) == len(NAMES) + 3 and len(numbers) >= 3 * len(NAMES) and max(numbers) < 1e-8
    assert out.count("finite True") == 6 and "naive  [[nan" in out


def test_pitfalls_printout_is_numbered_as_on_the_page(capsys):
    act.pitfalls()
    numbers = [line[:2] for line in capsys.readouterr().out.splitlines() if line[:1].isdigit()]
    assert numbers == ["1.", "2.", "3.", "4.", "4.", "5.", "6."]


def test_saturation_table(capsys):
    act.saturation()
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 8 and lines[-1].startswith("best case")


def test_figures():
    import matplotlib.pyplot as plt
    for plot, n_axes in [(act.plot_families, 2), (act.plot_grid, 10)]:
        fig = plot()
        assert len(fig.axes) == n_axes
        plt.close(fig)
