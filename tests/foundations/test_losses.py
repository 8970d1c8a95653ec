"""Tests for code/foundations/losses.py (page: docs/foundations/losses.md).

Every from-scratch loss equals its PyTorch counterpart in float64; every hand-derived gradient equals
torch.autograd and central finite differences; bad input raises an error that names what was expected;
logits of ±1e4 give finite, exact answers; the exercise solutions hold.
"""
import re
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import losses

MODULE = Path(losses.__file__)
TOL = 1e-12


def t(a):
    """NumPy -> torch without changing the dtype (float64 stays float64, int64 stays int64)."""
    return torch.as_tensor(np.asarray(a))


def autograd(torch_loss, x, *rest):
    x = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    torch_loss(x, *[t(r) for r in rest]).backward()
    return x.grad.numpy()


@pytest.fixture
def rng():
    return np.random.default_rng(6)


@pytest.fixture
def batch(rng):
    """N = 5 examples, C = 4 classes, every class index used at least once across seeds."""
    return rng.normal(size=(5, 4)) * 2.0, np.array([0, 3, 1, 2, 3], dtype=np.int64)


# ---------------------------------------------------------------- values equal PyTorch (float64)

@pytest.mark.parametrize("shape", [(7,), (4, 3)])          # one output, and several outputs per example
def test_regression_losses_equal_torch(rng, shape):
    y_hat, y = rng.normal(size=shape), rng.normal(size=shape) * 2
    assert abs(losses.mse(y_hat, y) - F.mse_loss(t(y_hat), t(y)).item()) < TOL
    assert abs(losses.mae(y_hat, y) - F.l1_loss(t(y_hat), t(y)).item()) < TOL
    for delta in (0.3, 1.0, 2.5):
        assert abs(losses.huber(y_hat, y, delta) - F.huber_loss(t(y_hat), t(y), delta=delta).item()) < TOL
        # SmoothL1Loss(beta) is Huber(delta = beta) divided by beta
        smooth = F.smooth_l1_loss(t(y_hat), t(y), beta=delta).item()
        assert abs(losses.huber(y_hat, y, delta) / delta - smooth) < TOL


def test_mse_is_gaussian_negative_log_likelihood(rng):
    # eq. (5): with unit variance, the Gaussian NLL (constants dropped) is MSE / 2
    y_hat, y = rng.normal(size=6), rng.normal(size=6)
    nll = F.gaussian_nll_loss(t(y_hat), t(y), torch.ones(6, dtype=torch.float64)).item()
    assert abs(losses.mse(y_hat, y) / 2 - nll) < TOL


def test_sigmoid_softplus_log_softmax_softmax_equal_torch(rng, batch):
    z = rng.normal(size=9) * 30                                 # wide range, both signs
    assert np.max(np.abs(losses.sigmoid(z) - torch.sigmoid(t(z)).numpy())) < TOL
    assert np.max(np.abs(losses.softplus(z) - F.softplus(t(z)).numpy())) < 1e-12 * np.max(np.abs(z))
    Z, _ = batch
    assert np.max(np.abs(losses.log_softmax(Z) - F.log_softmax(t(Z), dim=1).numpy())) < TOL
    assert np.max(np.abs(losses.softmax(Z) - F.softmax(t(Z), dim=1).numpy())) < TOL


def test_binary_cross_entropy_equals_torch(rng):
    p, y = rng.uniform(0.01, 0.99, size=8), rng.integers(0, 2, size=8).astype(float)
    assert abs(losses.binary_cross_entropy(p, y) - F.binary_cross_entropy(t(p), t(y)).item()) < TOL
    y_soft = rng.uniform(size=8)                                # soft targets in [0, 1] are allowed too
    assert abs(losses.binary_cross_entropy(p, y_soft) - F.binary_cross_entropy(t(p), t(y_soft)).item()) < TOL


def test_binary_cross_entropy_is_sklearn_log_loss(rng):
    from sklearn.metrics import log_loss
    p, y = rng.uniform(0.01, 0.99, size=8), np.array([0, 1, 1, 0, 1, 0, 0, 1])
    assert abs(losses.binary_cross_entropy(p, y) - log_loss(y, p)) < TOL


@pytest.mark.parametrize("scale", [1.0, 20.0])
def test_bce_with_logits_equals_torch_and_the_probability_form(rng, scale):
    z, y = rng.normal(size=8) * scale, rng.uniform(size=8)
    torch_value = F.binary_cross_entropy_with_logits(t(z), t(y)).item()
    assert abs(losses.bce_with_logits(z, y) - torch_value) < TOL * scale
    if scale == 1.0:                                            # eq. (8) is eq. (7) with p = sigmoid(z)
        assert abs(losses.bce_with_logits(z, y) - losses.binary_cross_entropy(losses.sigmoid(z), y)) < 1e-12


def test_bce_with_logits_is_the_logistic_loss(rng):
    # with labels s = 2y - 1 in {-1, +1}, BCE from logits is log(1 + exp(-s z)): nn.SoftMarginLoss
    z, y = rng.normal(size=8), rng.integers(0, 2, size=8).astype(float)
    assert abs(losses.bce_with_logits(z, y) - F.soft_margin_loss(t(z), t(2 * y - 1)).item()) < TOL


def test_bce_with_logits_keeps_tiny_losses_accurate():
    # y = 1 and z = 40: the loss is log(1 + e^-40), about 4.25e-18; an order of operations that
    # computes softplus(z) - z first would return exactly 0
    value = losses.bce_with_logits([40.0], [1.0])
    assert value > 0
    assert abs(value - np.log1p(np.exp(-40.0))) < 1e-30


def test_sparse_cross_entropy_equals_torch_one_hot_and_nll(batch):
    Z, y = batch
    torch_value = F.cross_entropy(t(Z), t(y)).item()
    assert abs(losses.sparse_cross_entropy(Z, y) - torch_value) < TOL
    assert abs(losses.cross_entropy(Z, losses.one_hot(y, 4)) - torch_value) < TOL   # same number, dense targets
    assert abs(losses.nll_loss(losses.log_softmax(Z), y) - torch_value) < TOL
    assert abs(F.nll_loss(F.log_softmax(t(Z), dim=1), t(y)).item() - torch_value) < TOL
    assert abs(losses.nll_loss(losses.log_softmax(Z), y) - F.nll_loss(t(losses.log_softmax(Z)), t(y)).item()) < TOL


def test_cross_entropy_with_probability_targets_equals_torch(rng, batch):
    Z, _ = batch
    T = losses.softmax(rng.normal(size=Z.shape))               # soft targets, rows sum to 1
    assert abs(losses.cross_entropy(Z, T) - F.cross_entropy(t(Z), t(T)).item()) < TOL


def test_sparse_cross_entropy_accepts_any_integer_dtype(batch):
    Z, y = batch
    for dtype in (np.int32, np.uint8, np.int64):
        assert losses.sparse_cross_entropy(Z, y.astype(dtype)) == losses.sparse_cross_entropy(Z, y)


def test_one_hot_equals_torch(batch):
    _, y = batch
    assert np.array_equal(losses.one_hot(y, 4), F.one_hot(t(y), 4).numpy())


@pytest.mark.parametrize("eps", [0.0, 0.1, 0.25, 1.0])
def test_label_smoothing_equals_torch(batch, eps):
    Z, y = batch
    torch_value = F.cross_entropy(t(Z), t(y), label_smoothing=eps).item()
    assert abs(losses.sparse_cross_entropy(Z, y, label_smoothing=eps) - torch_value) < TOL
    # eq. (19)-(20): the same number as plain cross-entropy against the smoothed targets
    assert abs(losses.cross_entropy(Z, losses.smooth_labels(y, 4, eps)) - torch_value) < TOL


def test_kl_divergence_equals_torch_kl_div_batchmean(rng, batch):
    Z, y = batch
    P, Q = losses.smooth_labels(y, 4, 0.1), losses.softmax(rng.normal(size=Z.shape))
    torch_value = F.kl_div(t(Q).log(), t(P), reduction="batchmean").item()
    assert abs(losses.kl_divergence(P, Q) - torch_value) < TOL
    # zeros in P contribute 0 (0 log 0 = 0), as in torch
    P0 = losses.one_hot(y, 4)
    assert abs(losses.kl_divergence(P0, Q) - F.kl_div(t(Q).log(), t(P0), reduction="batchmean").item()) < TOL


def test_kl_div_argument_order_is_a_trap(rng):
    # the classic mistake: passing probabilities (not log-probabilities) as the input gives another number
    P, Q = losses.softmax(rng.normal(size=(4, 3))), losses.softmax(rng.normal(size=(4, 3)))
    wrong = F.kl_div(t(Q), t(P), reduction="batchmean").item()
    assert abs(wrong - losses.kl_divergence(P, Q)) > 0.1


def test_cross_entropy_is_entropy_plus_kl(rng, batch):
    # eq. (18): H(p, q) = H(p) + KL(p || q), with q = softmax(Z)
    Z, _ = batch
    P = losses.softmax(rng.normal(size=Z.shape))
    Q = losses.softmax(Z)
    assert abs(losses.cross_entropy(Z, P) - (losses.entropy(P) + losses.kl_divergence(P, Q))) < TOL
    assert losses.kl_divergence(P, Q) > 0                      # Gibbs' inequality
    assert abs(losses.kl_divergence(P, P)) < TOL
    # with one-hot p the entropy is 0, so cross-entropy and KL are the same number
    T = losses.one_hot(np.array([0, 3, 1, 2, 3]), 4)
    assert abs(losses.cross_entropy(Z, T) - losses.kl_divergence(T, Q)) < TOL


def test_hinge_equals_torch(rng):
    z, y = rng.normal(size=9), rng.choice([-1.0, 1.0], size=9)
    assert abs(losses.hinge(z, y) - torch.clamp(1 - t(y) * t(z), min=0).mean().item()) < TOL
    # nn.MultiMarginLoss on the two scores (-z/2, z/2) is the binary hinge divided by C = 2
    Z2 = np.stack([-z / 2, z / 2], axis=1)
    classes = ((y + 1) / 2).astype(np.int64)
    assert abs(losses.hinge(z, y) - 2 * F.multi_margin_loss(t(Z2), t(classes)).item()) < TOL


@pytest.mark.parametrize("margin", [1.0, 0.5])
def test_multi_margin_equals_torch(batch, margin):
    Z, y = batch
    assert abs(losses.multi_margin(Z, y, margin) - F.multi_margin_loss(t(Z), t(y), margin=margin).item()) < TOL


# ---------------------------------------------------------------- hand-derived gradients

@pytest.mark.parametrize("name, ours, torch_loss, loss", [
    ("mse", losses.mse_grad, F.mse_loss, losses.mse),
    ("mae", losses.mae_grad, F.l1_loss, losses.mae),
    ("huber", losses.huber_grad, F.huber_loss, losses.huber),
])
def test_regression_gradients_equal_autograd_and_finite_differences(rng, name, ours, torch_loss, loss, finite_difference):
    y_hat, y = rng.normal(size=(4, 2)), rng.normal(size=(4, 2)) * 2   # residuals away from kinks
    g = ours(y_hat, y)
    assert np.max(np.abs(g - autograd(torch_loss, y_hat, y))) < TOL
    assert np.max(np.abs(g - finite_difference(lambda v: loss(v, y), y_hat))) < 1e-8


def test_bce_with_logits_gradient_is_sigmoid_minus_y(rng, finite_difference):
    z, y = rng.normal(size=7) * 3, rng.uniform(size=7)
    g = losses.bce_with_logits_grad(z, y)                       # eq. (10), divided by N
    assert np.max(np.abs(g - autograd(F.binary_cross_entropy_with_logits, z, y))) < TOL
    assert np.max(np.abs(g - finite_difference(lambda v: losses.bce_with_logits(v, y), z))) < 1e-8


def test_softmax_cross_entropy_gradient_derivation(batch, finite_difference):
    # eqs. (15)-(16): dJ/dZ = (softmax(Z) - onehot(y)) / N
    Z, y = batch
    g = losses.cross_entropy_grad(Z, losses.one_hot(y, 4))
    assert np.max(np.abs(g - autograd(F.cross_entropy, Z, y))) < TOL
    assert np.max(np.abs(g - finite_difference(lambda v: losses.sparse_cross_entropy(v, y), Z))) < 1e-8
    assert np.max(np.abs(g.sum(axis=1))) < TOL                # each row of P - T sums to 0
    # the batch mean divides by N: the gradient of the SUM is N times larger
    Zt = torch.tensor(Z, requires_grad=True)
    F.cross_entropy(Zt, t(y), reduction="sum").backward()
    assert np.max(np.abs(Zt.grad.numpy() - len(y) * g)) < TOL


def test_cross_entropy_gradient_with_smoothed_and_soft_targets(rng, batch, finite_difference):
    Z, y = batch
    T = losses.smooth_labels(y, 4, 0.2)
    g = losses.cross_entropy_grad(Z, T)
    assert np.max(np.abs(g - autograd(lambda a, b: F.cross_entropy(a, b, label_smoothing=0.2), Z, y))) < TOL
    assert np.max(np.abs(g - finite_difference(lambda v: losses.cross_entropy(v, T), Z))) < 1e-8
    P = losses.softmax(rng.normal(size=Z.shape))
    assert np.max(np.abs(losses.cross_entropy_grad(Z, P) - autograd(F.cross_entropy, Z, P))) < TOL


# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize("Z, y, error, match", [
    (np.zeros(3), np.array([0]), ValueError, r"logits Z must be 2-D with shape \(N, C\).*got shape \(3,\)"),
    (np.zeros((2, 3, 4)), np.array([0, 1]), ValueError, r"logits Z must be 2-D"),
    (np.zeros((0, 3)), np.array([], dtype=np.int64), ValueError, r"N >= 1"),
    (np.zeros((4, 3)), np.array([0, 1, 2]), ValueError, r"targets y must have shape \(N,\) = \(4,\), got \(3,\)"),
    (np.zeros((2, 3)), np.array([[0], [1]]), ValueError, r"targets y must have shape \(N,\) = \(2,\), got \(2, 1\)"),
    (np.zeros((2, 3)), np.array([0, 3]), ValueError, r"in \[0, C\) = \[0, 3\), got 3"),
    (np.zeros((2, 3)), np.array([-1, 0]), ValueError, r"in \[0, C\) = \[0, 3\), got -1"),
    (np.zeros((2, 3)), np.array([0.0, 2.0]), TypeError, r"integer class indices .* got dtype float64"),
    (np.zeros((2, 3)), np.array([True, False]), TypeError, r"integer class indices .* got dtype bool"),
])
def test_class_inputs_rejected_with_clear_errors(Z, y, error, match):
    for f in (losses.sparse_cross_entropy, losses.nll_loss, losses.multi_margin):
        with pytest.raises(error, match=match):
            f(Z, y)


def test_one_hot_rejects_out_of_range_and_float_targets():
    with pytest.raises(ValueError, match=r"\[0, C\) = \[0, 2\), got 2"):
        losses.one_hot(np.array([0, 2]), 2)
    with pytest.raises(TypeError, match="integer class indices"):
        losses.one_hot(np.array([0.0, 1.0]), 2)


def test_shape_mismatch_rejected_instead_of_broadcasting():
    y_hat, y = np.arange(3.0).reshape(3, 1), np.arange(3.0)   # (N, 1) against (N,)
    for f in (losses.mse, losses.mae, losses.huber, losses.mse_grad, losses.bce_with_logits):
        with pytest.raises(ValueError, match=r"must have the same shape, got \(3, 1\) and \(3,\)"):
            f(y_hat, y / 3)
    with pytest.raises(ValueError, match="empty"):
        losses.mse([], [])
    with pytest.raises(ValueError, match=r"logits Z must be 2-D with shape \(N, C\)"):
        losses.cross_entropy(np.zeros(3), np.zeros(3))
    with pytest.raises(ValueError, match=r"logits Z and targets T must have the same shape, got \(2, 3\) and \(2,\)"):
        losses.cross_entropy(np.zeros((2, 3)), np.array([0, 1]))
    with pytest.raises(ValueError, match=r"P must be 2-D"):
        losses.kl_divergence(np.ones(3) / 3, np.ones(3) / 3)


def test_range_errors_name_what_was_expected():
    with pytest.raises(ValueError, match=r"targets y must lie in \[0, 1\], got values in \[-1.0, 1.0\]"):
        losses.bce_with_logits([0.3, -0.2], [-1.0, 1.0])        # hinge-style labels given to BCE
    with pytest.raises(ValueError, match=r"probabilities p must lie in \[0, 1\]"):
        losses.binary_cross_entropy([1.5, 0.2], [1.0, 0.0])     # logits given where probabilities go
    with pytest.raises(ValueError, match=r"labels y must be -1 or \+1 .* 2\*y - 1"):
        losses.hinge([0.3, -0.2], [0.0, 1.0])                   # 0/1 labels given to hinge
    with pytest.raises(ValueError, match=r"each row of targets T must sum to 1"):
        losses.cross_entropy_grad(np.zeros((2, 3)), np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"label_smoothing must be in \[0, 1\], got 1.5"):
        losses.sparse_cross_entropy(np.zeros((2, 3)), np.array([0, 1]), label_smoothing=1.5)
    with pytest.raises(ValueError, match=r"delta must be > 0, got 0"):
        losses.huber([1.0], [0.0], delta=0)


# ---------------------------------------------------------------- extreme logits

def test_cross_entropy_at_extreme_logits_is_finite_and_exact():
    Z = np.array([[1e4, -1e4, 0.0], [1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]])
    y = np.array([1, 0, 2])
    # exact per-row losses: logsumexp(z) - z_y = 1e4 - (-1e4) = 2e4; ~e^-1e4 = 0; log 3 (all equal)
    exact = (2e4 + 0.0 + np.log(3.0)) / 3
    ours, theirs = losses.sparse_cross_entropy(Z, y), F.cross_entropy(t(Z), t(y)).item()
    assert np.isfinite(ours)
    assert abs(ours - exact) < 1e-12 * exact
    assert abs(ours - theirs) < 1e-12 * exact
    g = losses.cross_entropy_grad(Z, losses.one_hot(y, 3))
    assert np.all(np.isfinite(g))
    assert np.max(np.abs(g - autograd(F.cross_entropy, Z, y))) < TOL
    smoothed = losses.sparse_cross_entropy(Z, y, label_smoothing=0.1)
    assert abs(smoothed - F.cross_entropy(t(Z), t(y), label_smoothing=0.1).item()) < 1e-12 * exact


def test_bce_with_logits_at_extreme_logits_is_finite_and_exact():
    z, y = np.array([1e4, -1e4, 1e4, -1e4]), np.array([0.0, 1.0, 1.0, 0.0])
    exact = (1e4 + 1e4 + 0.0 + 0.0) / 4                         # softplus(1e4) = 1e4, softplus(-1e4) ~ 0
    ours = losses.bce_with_logits(z, y)
    assert np.isfinite(ours)
    assert ours == exact
    assert ours == F.binary_cross_entropy_with_logits(t(z), t(y)).item()
    g = losses.bce_with_logits_grad(z, y)
    assert np.all(np.isfinite(g))
    assert np.max(np.abs(g - autograd(F.binary_cross_entropy_with_logits, z, y))) < TOL
    assert np.array_equal(losses.sigmoid(np.array([1e4, -1e4])), [1.0, 0.0])


def test_naive_versions_give_inf_or_nan_where_stable_ones_do_not():
    # a confidently RIGHT prediction: the naive BCE computes 0 * log(0) = nan
    assert np.isnan(losses.naive_bce_from_logits([1e4], [1.0]))
    assert losses.bce_with_logits([1e4], [1.0]) == 0.0
    # confidently wrong: inf instead of the true, finite 1e4
    assert np.isinf(losses.naive_bce_from_logits([-1e4], [1.0]))
    assert losses.bce_with_logits([-1e4], [1.0]) == 1e4
    # already at z = 40 (float64), 1 - sigmoid(z) rounds to 0
    assert np.isinf(losses.naive_bce_from_logits([40.0], [0.0]))
    assert abs(losses.bce_with_logits([40.0], [0.0]) - 40.0) < 1e-12
    # softmax without the max shift: inf / inf = nan for the right class, log(0) = -inf for the wrong one
    Z = np.array([[1e4, -1e4, 0.0]])
    assert np.isnan(losses.naive_cross_entropy(Z, np.array([0])))
    assert np.isinf(losses.naive_cross_entropy(Z, np.array([1])))
    assert losses.sparse_cross_entropy(Z, np.array([1])) == 2e4
    # on ordinary logits the naive versions agree: the difference is only numerical
    assert abs(losses.naive_bce_from_logits([0.3, -1.2], [1.0, 0.0]) - losses.bce_with_logits([0.3, -1.2], [1.0, 0.0])) < 1e-12


# ---------------------------------------------------------------- exercises

def test_exercise_1_mean_minimises_mse_and_median_minimises_mae(rng):
    y = np.append(rng.normal(size=8), 50.0)                    # one outlier
    grid = np.linspace(-2, 10, 12001)
    best_mse = grid[np.argmin([losses.mse(np.full_like(y, c), y) for c in grid])]
    best_mae = grid[np.argmin([losses.mae(np.full_like(y, c), y) for c in grid])]
    assert abs(best_mse - y.mean()) < 1e-3
    assert abs(best_mae - np.median(y)) < 1e-3
    assert abs(np.sum(losses.mse_grad(np.full_like(y, y.mean()), y))) < 1e-12


def test_exercise_2_bce_is_two_class_softmax(rng):
    z, y = rng.normal(size=6) * 3, rng.integers(0, 2, size=6)
    assert abs(losses.bce_as_two_class_softmax(z, y) - losses.bce_with_logits(z, y.astype(float))) < TOL
    Z2 = np.stack([np.zeros_like(z), z], axis=1)
    assert abs(losses.bce_as_two_class_softmax(z, y) - F.cross_entropy(t(Z2), t(y.astype(np.int64))).item()) < TOL
    with pytest.raises(ValueError, match="labels y must be 0 or 1"):
        losses.bce_as_two_class_softmax(z[:2], np.array([-1, 1]))


@pytest.mark.parametrize("C", [2, 3, 10, 1000])
def test_exercise_3_double_softmax_floor(rng, C):
    floor = losses.double_softmax_floor(C)
    assert abs(floor - np.log(1 + (C - 1) / np.e)) < TOL
    y = np.array([0, 0])
    confident = 40.0 * losses.one_hot(y, C)                  # the network is as sure and as right as can be
    torch_value = F.cross_entropy(F.softmax(t(confident), dim=1), t(y)).item()
    assert abs(torch_value - floor) < 1e-12
    assert abs(losses.sparse_cross_entropy(losses.softmax(confident), y) - floor) < 1e-12
    assert losses.sparse_cross_entropy(confident, y) < 1e-12   # without the extra softmax the loss goes to 0
    random_Z = rng.normal(size=(2, C)) * 5                    # any other logits do no better
    assert losses.sparse_cross_entropy(losses.softmax(random_Z), y) > floor


@pytest.mark.parametrize("C, eps", [(3, 0.1), (10, 0.2), (5, 0.5)])
def test_exercise_4_label_smoothing_optimum_is_finite(rng, C, eps):
    Z = losses.smoothing_optimal_logits(C, eps, y=1)
    y = np.array([1])
    T = losses.smooth_labels(y, C, eps)
    assert np.all(np.isfinite(Z))
    assert np.max(np.abs(losses.cross_entropy_grad(Z, T))) < 1e-15
    assert np.max(np.abs(autograd(lambda a, b: F.cross_entropy(a, b, label_smoothing=eps), Z, y))) < 1e-15
    # the minimum value is the entropy of the smoothed target (the KL term of eq. (18) is 0)
    assert abs(losses.sparse_cross_entropy(Z, y, label_smoothing=eps) - losses.entropy(T)) < TOL
    for _ in range(5):                                         # nearby logits are worse
        worse = losses.sparse_cross_entropy(Z + 0.1 * rng.normal(size=Z.shape), y, label_smoothing=eps)
        assert worse > losses.entropy(T)


# ---------------------------------------------------------------- figures and the command line

def test_figures_plot_the_losses():
    import matplotlib.pyplot as plt
    fig = losses.plot_regression_losses()
    mse_line = fig.axes[0].lines[0]
    r, value = mse_line.get_data()
    assert np.allclose(value, r**2)
    plt.close(fig)
    fig = losses.plot_classification_losses()
    z, bce = fig.axes[0].lines[0].get_data()
    assert np.allclose(bce, np.log1p(np.exp(-z)))
    plt.close(fig)


@pytest.fixture
def run(run_main):
    return lambda *args: run_main(MODULE, *args)


def test_check_reports_agreement_with_pytorch(run):
    values, gradients, extremes = [block.splitlines()[1:] for block in run("--check").strip().split("\n\n")]
    assert len(values) == 15
    assert all(float(line.split()[-1]) < 1e-12 for line in values)
    assert len(gradients) == 6
    assert all(float(line.split()[-2]) < 1e-12 and float(line.split()[-1]) < 1e-8 for line in gradients)
    rows = [line.split() for line in extremes]                   # name, stable, PyTorch, exact, naive
    assert [row[0] for row in rows] == ["sparse_cross_entropy", "bce_with_logits"]
    assert all(float(row[1]) == float(row[2]) == float(row[3]) for row in rows)   # stable = torch = exact
    assert all(row[4] == "nan" for row in rows)                                   # naive breaks


def test_demo_numpy_and_torch_print_the_same_numbers(run):
    numpy_part, torch_part = run().split("\n\n")
    numbers = lambda text: re.findall(r"\s(\d+\.\d{6})$", text, flags=re.M)  # noqa: E731
    assert len(numbers(numpy_part)) == 4
    assert numbers(numpy_part) == numbers(torch_part)
    assert numpy_part.split("(softmax(Z) - T) / N =")[1].strip() == torch_part.split("autograd =")[1].strip()


def test_pitfalls_demo_shows_the_failures(run):
    out = run("--pitfalls")
    assert "naive BCE     nan" in out and "naive BCE     inf" in out
    assert "naive CE     nan" in out and "naive CE     inf" in out
    assert "first inf at z = 37" in out
    assert "Long" in out                                        # torch's own message about the target dtype
