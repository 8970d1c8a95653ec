"""Tests for code/foundations/gradient_descent.py (page: docs/foundations/gradient-descent.md).

The from-scratch updates equal torch.optim.SGD (and the manual no_grad update) step for step in float64;
hand-derived gradients equal torch.autograd and central finite differences; the learning-rate thresholds
of a quadratic (converge iff 0 < lr < 2 / lambda_max, one step at 1 / lambda, best rate (kappa-1)/(kappa+1))
hold numerically; sign-only steps never settle; mini-batch gradients are unbiased with the stated variance;
a saddle stalls GD only on its stable manifold; bad input and divergence raise clear errors, never NaN.
"""
import itertools
import re
from pathlib import Path

import numpy as np
import pytest
import torch

import gradient_descent as gd

MODULE = Path(gd.__file__)
TOL = 1e-12


def autograd(f, w):
    w = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    f(w).backward()
    return w.grad.numpy()


@pytest.fixture
def data():
    return gd.linreg_data(N=12, seed=3)


# ---------------------------------------------------------------- the update rule, eq. (1)

def test_one_step_is_w_minus_lr_times_gradient():
    g = np.array([3.0, -0.5, 0.0])
    W = gd.gradient_descent(lambda w: g, [1.0, 1.0, 1.0], 0.1, steps=1)
    assert W.shape == (2, 3)
    assert np.array_equal(W[1], np.array([1.0, 1.0, 1.0]) - 0.1 * g)
    # each weight moves against its own partial derivative (note 3a/3b) and in proportion to its size
    step = W[1] - W[0]
    assert step[0] < 0 < step[1] and step[2] == 0
    assert abs(step[0] / step[1] - g[0] / g[1]) < TOL


def test_gradient_descent_does_not_change_the_callers_array():
    w0 = np.array([1.0, 2.0])
    gd.gradient_descent(lambda w: w, w0, 0.5, steps=3)
    assert np.array_equal(w0, [1.0, 2.0])


def test_minus_sign_first_order_taylor():
    # eq. (3): (J(w - lr g) - J(w)) / lr -> -||g||^2 as lr -> 0, on a non-quadratic function
    w = np.array([0.7, 0.4])
    g = gd.saddle_grad(w, 0.3)
    slopes = [(gd.saddle_loss(w - lr * g, 0.3) - gd.saddle_loss(w, 0.3)) / lr for lr in (1e-2, 1e-4, 1e-6)]
    errors = [abs(s + g @ g) for s in slopes]
    assert errors[0] > errors[1] > errors[2] and errors[2] < 1e-5
    assert all(gd.saddle_loss(w - lr * g, 0.3) < gd.saddle_loss(w, 0.3) for lr in (1e-3, 1e-2, 0.1))
    # with a plus sign the loss goes up
    assert gd.saddle_loss(w + 1e-3 * g, 0.3) > gd.saddle_loss(w, 0.3)


def test_minus_gradient_is_the_steepest_descent_direction(rng=np.random.default_rng(1)):
    # eq. (4): over unit vectors u, g.u is smallest, = -||g||, at u = -g / ||g|| (Cauchy-Schwarz)
    g = rng.normal(size=5)
    U = rng.normal(size=(2000, 5))
    U /= np.linalg.norm(U, axis=1, keepdims=True)
    assert np.all(U @ g >= -np.linalg.norm(g) - TOL)
    assert abs((-g / np.linalg.norm(g)) @ g + np.linalg.norm(g)) < TOL
    # the sign vector is NOT the steepest direction when the components differ in size
    s = -np.sign(g) / np.sqrt(5)
    assert s @ g > -np.linalg.norm(g) + 0.1


# ---------------------------------------------------------------- the learning rate on a quadratic

def test_one_dimensional_closed_form():
    # eq. (6): w_t = (1 - lr lam)^t w_0 in every regime
    lam, w0 = 4.0, 1.5
    for lr in (0.05, 0.2, 0.4, 0.6):
        W = gd.gradient_descent(lambda w: lam * w, w0, lr, steps=20)
        assert np.allclose(W, w0 * (1 - lr * lam) ** np.arange(21), rtol=1e-12, atol=0)


@pytest.mark.parametrize("lam", [0.3, 1.0, 4.0, 25.0])
def test_one_dimensional_threshold_is_two_over_lambda(lam):
    # eq. (7): converges iff 0 < lr < 2 / lam
    run = lambda lr: gd.gradient_descent(lambda w: lam * w, 1.0, lr, steps=400)  # noqa: E731
    assert abs(run(0.99 * 2 / lam)[-1]) < 1e-1
    assert abs(run(1.01 * 2 / lam)[-1]) > 10
    assert abs(run(0.5 / lam)[-1]) < 1e-100
    # lr below 1/lam keeps the sign (monotone); between 1/lam and 2/lam it alternates (oscillates)
    assert np.all(run(0.5 / lam)[:20] > 0)
    assert np.all(np.diff(np.sign(run(1.5 / lam)[:20])) != 0)


def test_exactly_at_the_limits():
    lam = 4.0                                                          # 1/lam and 2/lam exact in binary
    W = gd.gradient_descent(lambda w: lam * w, 1.0, 0.25, steps=3)
    assert W[1] == 0.0 and W[3] == 0.0                                 # lr = 1/lam: the minimum in one step
    W = gd.gradient_descent(lambda w: lam * w, 1.0, 0.5, steps=6)
    assert W.tolist() == [1.0, -1.0, 1.0, -1.0, 1.0, -1.0, 1.0]        # lr = 2/lam: bounces for ever


def test_quadratic_iterates_are_powers_of_I_minus_lr_H():
    # eqs. (8)-(9): e_t = (I - lr H)^t e_0 for a non-diagonal H
    rng = np.random.default_rng(2)
    A = rng.normal(size=(3, 3))
    H = A @ A.T + 0.5 * np.eye(3)
    lr, w0 = 0.9 * gd.lr_limits(H)["lr_max"], rng.normal(size=3)
    W = gd.gradient_descent(lambda w: gd.quadratic_grad(w, H), w0, lr, steps=15)
    M = np.eye(3) - lr * H
    for t in (1, 7, 15):
        assert np.allclose(W[t], np.linalg.matrix_power(M, t) @ w0, rtol=0, atol=1e-12)
    # eq. (10): the error never exceeds rho^t times the start
    rho = gd.contraction(H, lr)
    norms = np.linalg.norm(W, axis=1)
    assert np.all(norms <= rho ** np.arange(16) * norms[0] + 1e-12)


def test_two_dimensional_threshold_is_two_over_lambda_max():
    H, w0, _ = gd.example_quadratic()
    limits = gd.lr_limits(H)
    assert limits["lr_max"] == 0.2 and limits["kappa"] == 10.0
    run = lambda lr: gd.gradient_descent(lambda w: gd.quadratic_grad(w, H), w0, lr, steps=1000)  # noqa: E731
    assert np.linalg.norm(run(0.199)[-1]) < 1e-3
    assert np.linalg.norm(run(0.201)[-1]) > 1e3      # diverges, although lr < 2/lambda_min = 2
    assert gd.contraction(H, 0.199) < 1 < gd.contraction(H, 0.201)


def test_best_learning_rate_and_rate_from_the_condition_number():
    # eq. (11): the measured contraction is smallest at 2 / (lam_min + lam_max), where it is (kappa-1)/(kappa+1)
    H = np.diag([0.5, 2.0, 5.0])
    limits = gd.lr_limits(H)
    assert abs(limits["lr_best"] - 2 / 5.5) < TOL and abs(limits["rho_best"] - 9 / 11) < TOL
    w0 = np.ones(3)

    def measured_rate(lr, t=200):
        W = gd.gradient_descent(lambda w: gd.quadratic_grad(w, H), w0, lr, steps=t)
        return (np.linalg.norm(W[t]) / np.linalg.norm(W[0])) ** (1 / t)

    best = measured_rate(limits["lr_best"])
    assert abs(best - limits["rho_best"]) < 0.01
    assert all(measured_rate(limits["lr_best"] * f) > best for f in (0.8, 0.95, 1.05))


def test_example_learning_rates_show_the_four_regimes():
    H, w0, lrs = gd.example_quadratic()
    final = {name: gd.quadratic_loss(gd.gradient_descent(lambda w: gd.quadratic_grad(w, H), w0, lr, 40)[-1], H)
             for name, lr in lrs.items()}
    J0 = gd.quadratic_loss(w0, H)
    assert final["right"] < final["too large"] < final["too small"] < J0 < final["divergent"]
    W = gd.gradient_descent(lambda w: gd.quadratic_grad(w, H), w0, lrs["too large"], 10)
    assert np.all(np.diff(np.sign(W[:, 1])) != 0)                     # oscillates across the valley


# ---------------------------------------------------------------- sign only vs size

def test_sign_descent_never_settles_while_gradient_descent_converges():
    W_gd = gd.gradient_descent(lambda w: w, 1.0, 0.3, steps=60)
    W_sign = gd.sign_descent(lambda w: w, 1.0, 0.3, steps=60)
    assert abs(W_gd[-1]) < 1e-8
    tail = W_sign[-20:]
    assert np.all(np.abs(tail) > 0.09)                                 # never closer than 0.1 (Exercise 1)
    assert np.allclose(tail[::2], tail[0]) and np.allclose(tail[1::2], tail[1])   # a 2-cycle
    assert abs(abs(tail[0] - tail[1]) - 0.3) < 1e-12                   # whose width is exactly lr
    assert max(abs(tail[0]), abs(tail[1])) >= 0.15                     # one of the two is >= lr / 2


def test_sign_descent_step_size_ignores_the_gradient_size():
    for scale in (1e-6, 1.0, 1e6):
        W = gd.sign_descent(lambda w: scale * w, [2.0, -3.0], 0.25, steps=1)
        assert np.array_equal(W[1] - W[0], [-0.25, 0.25])


def test_sign_descent_equals_adam_with_zero_betas_and_eps():
    H, w0 = np.diag([1.0, 4.0, 9.0]), [1.0, -0.7, 0.33]
    ours = gd.sign_descent(lambda w: gd.quadratic_grad(w, H), w0, 0.3, 25)
    assert np.max(np.abs(ours - gd.sign_descent_torch(H, w0, 0.3, 25))) < TOL


# ---------------------------------------------------------------- batch, mini-batch, stochastic

def test_mse_gradient_equals_autograd_and_finite_differences(data, finite_difference):
    X, y = data
    w = np.array([0.4, -1.3])
    g = gd.mse_grad(w, X, y)
    assert np.max(np.abs(g - autograd(lambda u: ((torch.from_numpy(X) @ u - torch.from_numpy(y)) ** 2).mean(), w))) < TOL
    assert np.max(np.abs(g - finite_difference(lambda u: gd.mse_loss(u, X, y), w))) < 1e-8
    assert np.max(np.abs(gd.mse_grad(gd.least_squares(X, y), X, y))) < 1e-12   # zero at the optimum


def test_quadratic_and_saddle_gradients_equal_autograd_and_finite_differences(finite_difference):
    H, w = np.array([[2.0, 0.5], [0.5, 1.0]]), np.array([0.3, -1.1])
    assert np.max(np.abs(gd.quadratic_grad(w, H) - autograd(lambda u: gd.quadratic_loss(u, torch.from_numpy(H)), w))) < TOL
    assert np.max(np.abs(gd.quadratic_grad(w, H) - finite_difference(lambda u: gd.quadratic_loss(u, H), w))) < 1e-8
    for a in (0.0, 0.3):
        ours = gd.saddle_grad(w, a)
        assert np.max(np.abs(ours - autograd(lambda u: gd.saddle_loss(u, a), w))) < TOL
        assert np.max(np.abs(ours - finite_difference(lambda u: gd.saddle_loss(u, a), w))) < 1e-8


@pytest.mark.parametrize("N, B", [(10, 3), (12, 4), (5, 5), (7, 1)])
def test_batches_cover_every_example_once_per_epoch(N, B):
    idx = gd.batches(N, B, epochs=3, seed=1)
    per_epoch = -(-N // B)
    assert len(idx) == 3 * per_epoch
    for e in range(3):
        epoch = idx[e * per_epoch:(e + 1) * per_epoch]
        assert sorted(np.concatenate(epoch).tolist()) == list(range(N))
        assert [len(b) for b in epoch[:-1]] == [B] * (per_epoch - 1) and 1 <= len(epoch[-1]) <= B
    assert not all(np.array_equal(a, b) for a, b in zip(idx[:per_epoch], idx[per_epoch:2 * per_epoch])) or B == N


def test_full_batch_sgd_is_gradient_descent(data):
    X, y = data
    W_sgd = gd.minibatch_sgd(X, y, [0.0, 0.0], 0.3, epochs=20, batch_size=len(y))
    W_gd = gd.gradient_descent(lambda w: gd.mse_grad(w, X, y), [0.0, 0.0], 0.3, steps=20)
    assert np.max(np.abs(W_sgd - W_gd)) < 1e-12                        # only the summation order differs


@pytest.mark.parametrize("B, manual", [(12, False), (4, False), (1, False), (4, True), (5, True)])
def test_minibatch_sgd_equals_torch_optim_sgd_step_for_step(data, B, manual):
    X, y = data
    ours = gd.minibatch_sgd(X, y, [0.5, -0.5], 0.1, epochs=4, batch_size=B, seed=7)
    theirs = gd.sgd_torch(X, y, [0.5, -0.5], 0.1, epochs=4, batch_size=B, seed=7, manual=manual)
    assert ours.shape == theirs.shape == (4 * -(-12 // B) + 1, 2)
    assert np.max(np.abs(ours - theirs)) < TOL
    assert np.linalg.norm(ours[-1] - ours[0]) > 0.1                    # it did move


def test_manual_update_equals_torch_optim_sgd(data):
    X, y = data
    a = gd.sgd_torch(X, y, [1.0, 1.0], 0.2, 3, 3, manual=True)
    b = gd.sgd_torch(X, y, [1.0, 1.0], 0.2, 3, 3, manual=False)
    assert np.max(np.abs(a - b)) < TOL


def test_all_three_reach_the_optimum_with_different_noise():
    X, y = gd.linreg_data()
    w_star, N = gd.least_squares(X, y), len(y)
    gaps, spreads = {}, {}
    for B in (N, 8, 1):
        W = gd.minibatch_sgd(X, y, np.zeros(2), 0.2, epochs=40, batch_size=B)
        last = np.array([gd.mse_loss(w, X, y) for w in W[-(-(-N // B)) - 8:]]) - gd.mse_loss(w_star, X, y)
        gaps[B], spreads[B] = np.linalg.norm(W[-1] - w_star), np.std(last)
    assert gaps[N] < 1e-2 and gaps[8] < 0.1 and gaps[1] < 0.3          # all near w* (start was 2.2 away)
    assert spreads[N] < spreads[8] < spreads[1]                        # noise grows as the batch shrinks
    # a smaller lr shrinks SGD's noise floor (what a schedule exploits)
    W_small = gd.minibatch_sgd(X, y, np.zeros(2), 0.02, epochs=40, batch_size=1)
    assert np.linalg.norm(W_small[-N:] - w_star, axis=1).mean() < 0.5 * np.linalg.norm(
        gd.minibatch_sgd(X, y, np.zeros(2), 0.2, epochs=40, batch_size=1)[-N:] - w_star, axis=1).mean()


# ---------------------------------------------------------------- saddle points and local minima

def test_saddle_stalls_on_its_stable_manifold_and_escapes_off_it():
    W = gd.gradient_descent(gd.saddle_grad, [1.0, 0.0], 0.1, steps=100)
    assert np.all(W[:, 1] == 0.0)                                      # y stays exactly 0
    assert np.linalg.norm(gd.saddle_grad(W[-1])) < 1e-9                # gradient ~ 0: looks "converged"
    assert abs(gd.saddle_loss(W[-1])) < 1e-15                          # but f = 0 is not a minimum
    assert np.array_equal(np.linalg.eigvalsh(np.diag([2.0, -2.0])), [-2.0, 2.0])
    W = gd.gradient_descent(gd.saddle_grad, [1.0, 1e-6], 0.1, steps=100)
    assert np.linalg.norm(W[-1] - [0.0, 1.0]) < 1e-4 and abs(gd.saddle_loss(W[-1]) + 0.5) < 1e-8
    # eq. (18): escape time ~ ln(1/|y0|) / ln(1 + 2 lr): ten times smaller y0 takes ln 10 / ln 1.2 more steps
    first = lambda y0: next(t for t, w in enumerate(gd.gradient_descent(gd.saddle_grad, [1.0, y0], 0.1, 200))  # noqa: E731
                            if w[1] > 0.5)
    assert abs((first(1e-7) - first(1e-6)) - np.log(10) / np.log(1.2)) < 1


def test_local_minimum_depends_on_the_start():
    ends = [gd.gradient_descent(lambda w: gd.saddle_grad(w, 0.3), s, 0.1, 200)[-1] for s in ([1, 0.5], [1, -0.5])]
    for w in ends:
        assert np.linalg.norm(gd.saddle_grad(w, 0.3)) < 1e-12         # both are stationary points
        assert abs(2 * w[1] ** 3 - 2 * w[1] + 0.3) < 1e-12             # roots of df/dy = 0
    f = [gd.saddle_loss(w, 0.3) for w in ends]
    assert ends[0][1] > 0 > ends[1][1] and f[0] > f[1] + 0.5           # the positive one is only local


# ---------------------------------------------------------------- bad input and divergence

@pytest.mark.parametrize("lr", [0, -0.1, float("nan"), float("inf"), -float("inf")])
def test_bad_learning_rate_raises_value_error(lr, data):
    X, y = data
    with pytest.raises(ValueError, match=r"learning rate lr must be a finite number > 0, got"):
        gd.gradient_descent(lambda w: w, [1.0], lr, 3)
    with pytest.raises(ValueError, match=r"learning rate lr must be a finite number > 0"):
        gd.minibatch_sgd(X, y, [0.0, 0.0], lr, 1, 2)
    with pytest.raises(ValueError, match=r"learning rate lr must be a finite number > 0"):
        gd.sign_descent(lambda w: w, [1.0], lr, 3)


def test_other_bad_input_raises_clear_errors(data):
    X, y = data
    with pytest.raises(TypeError, match=r"learning rate lr must be a real number, got str"):
        gd.gradient_descent(lambda w: w, [1.0], "0.1", 3)
    with pytest.raises(ValueError, match=r"steps must be an integer >= 0, got -1"):
        gd.gradient_descent(lambda w: w, [1.0], 0.1, -1)
    with pytest.raises(TypeError, match=r"steps must be an integer, got float"):
        gd.gradient_descent(lambda w: w, [1.0], 0.1, 2.5)
    with pytest.raises(ValueError, match=r"starting point w0 must be finite"):
        gd.gradient_descent(lambda w: w, [1.0, np.nan], 0.1, 3)
    with pytest.raises(ValueError, match=r"grad_fn must return an array of the shape of w, \(2,\), got \(3,\)"):
        gd.gradient_descent(lambda w: np.ones(3), [1.0, 2.0], 0.1, 3)
    with pytest.raises(ValueError, match=r"batch_size must be in \[1, N\] = \[1, 12\], got 13"):
        gd.minibatch_sgd(X, y, [0.0, 0.0], 0.1, 1, 13)
    with pytest.raises(ValueError, match=r"batch_size must be an integer >= 1, got 0"):
        gd.minibatch_sgd(X, y, [0.0, 0.0], 0.1, 1, 0)
    with pytest.raises(ValueError, match=r"X must be \(N, P\) and y \(N,\) with the same N, got \(12, 2\) and \(11,\)"):
        gd.minibatch_sgd(X, y[:-1], [0.0, 0.0], 0.1, 1, 2)
    with pytest.raises(ValueError, match=r"H must be positive definite"):
        gd.lr_limits(np.diag([1.0, -1.0]))
    with pytest.raises(ValueError, match=r"H must be a symmetric \(P, P\) matrix, got shape \(2, 3\)"):
        gd.lr_limits(np.ones((2, 3)))


def test_divergence_raises_instead_of_silent_nan():
    H, w0, _ = gd.example_quadratic()
    grad = lambda w: gd.quadratic_grad(w, H)                           # noqa: E731
    assert np.all(np.isnan(gd.naive_gradient_descent(grad, w0, 0.25, 2000)))   # the silent failure
    with pytest.raises(gd.DivergenceError, match=r"diverged at step \d+: w is no longer finite.*lr = 0.25") as info:
        gd.gradient_descent(grad, w0, 0.25, 2000)
    err = info.value
    assert isinstance(err, ArithmeticError) and 1000 < err.step < 2000
    assert np.all(np.isfinite(err.W)) and len(err.W) == err.step        # the finite iterates so far
    assert np.max(np.abs(err.W[-1])) > 1e300                           # growing without bound


def test_divergence_inside_the_gradient_is_caught_too(data):
    # overflow inside grad_fn (y^3 of the saddle) must not escape as a warning or a nan
    with pytest.raises(gd.DivergenceError, match="diverged"):
        gd.gradient_descent(gd.saddle_grad, [0.0, 3.0], 1.0, steps=50)
    X, y = data
    with pytest.raises(gd.DivergenceError, match="diverged"):
        gd.minibatch_sgd(X, y, [0.0, 0.0], 50.0, epochs=200, batch_size=4)


# ---------------------------------------------------------------- exercises

@pytest.mark.parametrize("lams", [(1.0, 10.0), (0.5, 2.0, 5.0), (1.0, 100.0)])
def test_exercise_2_steps_to_tolerance(lams):
    H, eps = np.diag(lams), 1e-6
    t = gd.steps_to_tolerance(H, eps)
    lim = gd.lr_limits(H)
    assert lim["rho_best"] ** t <= eps < lim["rho_best"] ** (t - 1)
    # a real run at the best lr from the slowest eigenvector start needs exactly that many steps
    w0 = np.zeros(len(lams))
    w0[0] = 1.0
    W = gd.gradient_descent(lambda w: gd.quadratic_grad(w, H), w0, lim["lr_best"], t)
    assert np.linalg.norm(W[t]) <= eps * (1 + 1e-9) and np.linalg.norm(W[t - 1]) > eps
    kappa = lim["kappa"]
    assert (kappa - 1) / 2 * np.log(1 / eps) <= t <= (kappa + 1) / 2 * np.log(1 / eps) + 1


def test_exercise_2_edge_cases():
    assert gd.steps_to_tolerance(np.diag([3.0, 3.0]), 1e-6) == 1     # kappa = 1: one step at lr = 1/lambda
    W = gd.gradient_descent(lambda w: gd.quadratic_grad(w, 3.0 * np.eye(2)), [1.0, -2.0], 2 / 6.0, 1)
    assert np.max(np.abs(W[1])) < 1e-15
    for eps in (0.0, 1.0, 2.0):
        with pytest.raises(ValueError, match=r"eps must be in \(0, 1\)"):
            gd.steps_to_tolerance(np.eye(2), eps)


def test_exercise_3_minibatch_gradient_is_unbiased_with_the_stated_covariance(data):
    X, y = data
    w = np.array([0.3, 0.2])
    G = np.array([gd.mse_grad(w, X[n:n + 1], y[n:n + 1]) for n in range(len(y))])   # (N, P) per example
    assert np.allclose(G.mean(axis=0), gd.mse_grad(w, X, y), rtol=0, atol=TOL)
    for B in (1, 3, 12):
        mean, cov, mean_formula, cov_formula = gd.minibatch_gradient_moments(G, B)
        assert np.max(np.abs(mean - mean_formula)) < TOL               # eq. (15)
        assert np.max(np.abs(cov - cov_formula)) < 1e-10               # eq. (16)
    assert np.max(np.abs(gd.minibatch_gradient_moments(G, 12)[1])) < 1e-12   # B = N: no noise at all
    # the same by brute force, independent of the module: average over every batch of size 2
    combos = list(itertools.combinations(range(len(y)), 2))
    brute = np.mean([gd.mse_grad(w, X[list(c)], y[list(c)]) for c in combos], axis=0)
    assert np.max(np.abs(brute - gd.mse_grad(w, X, y))) < TOL


def test_exercise_4_standardizing_features_cuts_the_condition_number():
    X, _ = gd.linreg_data(N=40, seed=5)
    X_raw = np.stack([X[:, 0], 500 + 500 * X[:, 0] ** 2, X[:, 1]], axis=1)
    X_std = gd.standardize(X_raw)
    assert np.allclose(X_std[:, :2].mean(axis=0), 0, atol=1e-12) and np.allclose(X_std[:, :2].std(axis=0), 1)
    assert np.array_equal(X_std[:, 2], np.ones(40))                    # the bias column is kept
    H_raw, H_std = gd.hessian_mse(X_raw), gd.hessian_mse(X_std)
    assert np.allclose(H_raw, torch.autograd.functional.hessian(
        lambda u: ((torch.from_numpy(X_raw) @ u) ** 2).mean(), torch.zeros(3, dtype=torch.float64)).numpy())
    k_raw, k_std = gd.lr_limits(H_raw)["kappa"], gd.lr_limits(H_std)["kappa"]
    assert k_raw > 1e5 and k_std < 5
    assert gd.steps_to_tolerance(H_raw, 1e-6) > 1000 * gd.steps_to_tolerance(H_std, 1e-6)


# ---------------------------------------------------------------- figures and the command line

def test_figures_plot_real_runs():
    import matplotlib.pyplot as plt
    fig = gd.plot_learning_rates()
    H, w0, lrs = gd.example_quadratic()
    path = fig.axes[0].lines[0].get_data()
    assert np.allclose(np.array(path).T, gd.gradient_descent(lambda w: gd.quadratic_grad(w, H), w0, 0.01, 40))
    assert len(fig.axes[1].lines) == 4
    plt.close(fig)
    for f in (gd.plot_sign_descent, gd.plot_batch_sizes, gd.plot_saddle):
        fig = f()
        assert len(fig.axes) == 2 and all(ax.lines for ax in fig.axes)
        plt.close(fig)


@pytest.fixture
def run(run_main):
    return lambda *args: run_main(MODULE, *args)


def test_check_reports_agreement_with_pytorch(run):
    runs, grads = [block.splitlines()[1:] for block in run("--check").strip().split("\n\n")]
    assert len(runs) == 5 and all(float(line.split()[-1]) < 1e-12 for line in runs)
    assert len(grads) == 3
    assert all(float(line.split()[-2]) < 1e-12 and float(line.split()[-1]) < 1e-8 for line in grads)


def test_demo_prints_the_regimes(run):
    lines = run().splitlines()
    assert "largest stable lr 2/lambda_max = 0.2," in lines[0]
    rows = {line.split()[0] + line.split()[1]: line.split() for line in lines[2:]}
    for row in rows.values():
        assert abs(float(row[-3]) - float(row[-2])) < 1e-3            # measured ratio = predicted rho
    assert float(rows["divergent0.21"][-1]) > 1e3


def test_scalar_demo_shows_the_five_cases(run):
    rows = [line.split() for line in run("--scalar").splitlines()[1:]]
    assert [r[0] for r in rows] == ["0.1", "0.25", "0.4", "0.5", "0.55"]
    assert rows[1][2] == "0.0000" and rows[3][-1] == "1" and float(rows[4][-1]) > 100


def test_other_demos_run(run):
    assert "-0.200000" in run("--sign")
    assert run("--batches").count("\n") == 6
    saddle = run("--saddle")
    assert "f < -0.25 from step None" in saddle and re.search(r"f < -0.25 from step \d+", saddle)


def test_pitfalls_printout_is_numbered_as_on_the_page(run):
    out = run("--pitfalls")
    lines = [line for line in out.splitlines() if re.match(r"\d\. ", line)]
    assert [line[:2] for line in lines] == ["1.", "2.", "3.", "4.", "5."]
    assert "[nan nan]" in lines[0] and "raises DivergenceError: gradient descent diverged at step" in out
    assert "in-place operation" in lines[3] and "DivergenceError" in lines[4]
