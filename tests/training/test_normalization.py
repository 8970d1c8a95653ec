"""Tests for code/training/normalization.py (page: docs/training/normalization.md).

BatchNorm, LayerNorm, RMSNorm and GroupNorm from scratch equal nn.BatchNorm1d/2d, nn.LayerNorm, nn.RMSNorm
and nn.GroupNorm in float64 (outputs, gradients for x, gamma and beta, running statistics and the eval-mode
output); every hand-derived backward pass also equals central finite differences; the derivation's
intermediate results (the Jacobian, the zero sums) hold; bad input raises an error naming what was expected;
extreme inputs stay finite and correct; the pitfalls show their symptoms; the exercise solutions hold.
"""
import re
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

import normalization as nz

MODULE = Path(nz.__file__)
TOL = 1e-12                      # float64 agreement with PyTorch
FD_TOL = 1e-7                    # central differences with h = 1e-6 on O(1) numbers


def fd(f, a, h=1e-6):
    """Central differences of the scalar f() with respect to every entry of a (restored afterwards)."""
    g = np.zeros_like(a)
    for i in np.ndindex(a.shape):
        old = a[i]
        a[i] = old + h
        up = f()
        a[i] = old - h
        g[i] = (up - f()) / (2 * h)
        a[i] = old
    return g


def torch_run(module, x, dy):
    """Output and gradients (x, weight, bias or None) of a float64 PyTorch module for upstream dy."""
    x = torch.tensor(x, requires_grad=True)
    y = module(x)
    (y * torch.from_numpy(dy)).sum().backward()
    bias = module.bias.grad.numpy() if getattr(module, "bias", None) is not None else None
    return y.detach().numpy(), x.grad.numpy(), module.weight.grad.numpy(), bias


def set_affine(module, gamma, beta=None):
    with torch.no_grad():
        module.weight.copy_(torch.from_numpy(gamma))
        if beta is not None:
            module.bias.copy_(torch.from_numpy(beta))
    return module


def maxdiff(a, b):
    return np.max(np.abs(np.asarray(a) - np.asarray(b)))


@pytest.fixture
def rng():
    return np.random.default_rng(14)


# ---------------------------------------------------------------- BatchNorm: values and gradients

BN_SHAPES = [((6, 3), nn.BatchNorm1d), ((4, 3, 5), nn.BatchNorm1d), ((3, 3, 2, 4), nn.BatchNorm2d)]


@pytest.mark.parametrize("shape, Module", BN_SHAPES)
def test_batchnorm_forward_and_backward_equal_torch(rng, shape, Module):
    x, dy = rng.normal(2, 3, shape), rng.normal(size=shape)
    gamma, beta = rng.uniform(0.5, 2, 3), rng.normal(size=3)
    y, cache = nz.batchnorm_forward(x, gamma, beta)
    dx, dgamma, dbeta = nz.batchnorm_backward(dy, cache)
    y_t, dx_t, dgamma_t, dbeta_t = torch_run(set_affine(Module(3).double(), gamma, beta), x, dy)
    for ours, theirs in [(y, y_t), (dx, dx_t), (dgamma, dgamma_t), (dbeta, dbeta_t)]:
        assert ours.shape == theirs.shape and maxdiff(ours, theirs) < TOL


@pytest.mark.parametrize("shape, Module", BN_SHAPES)
def test_batchnorm_backward_equals_finite_differences(rng, shape, Module):
    x, dy = rng.normal(2, 3, shape), rng.normal(size=shape)
    gamma, beta = rng.uniform(0.5, 2, 3), rng.normal(size=3)
    dx, dgamma, dbeta = nz.batchnorm_backward(dy, nz.batchnorm_forward(x, gamma, beta)[1])
    J = lambda: np.sum(dy * nz.batchnorm_forward(x, gamma, beta)[0])   # noqa: E731  dJ/dy = dy
    assert maxdiff(dx, fd(J, x)) < FD_TOL
    assert maxdiff(dgamma, fd(J, gamma)) < FD_TOL
    assert maxdiff(dbeta, fd(J, beta)) < FD_TOL


def test_batchnorm_train_mode_statistics_are_per_channel_and_biased(rng):
    x = rng.normal(5, 4, (4, 2, 3, 3))
    y, _ = nz.batchnorm_forward(x, np.ones(2), np.zeros(2), eps=0.0)
    assert np.allclose(y.mean(axis=(0, 2, 3)), 0, atol=1e-13)
    assert np.allclose(y.var(axis=(0, 2, 3)), 1, atol=1e-13)      # biased variance 1 (unbiased would not be)


def test_compact_form_equals_the_general_backward_and_the_jacobian(rng):
    # eq. (8) is eq. (7) with dx_hat = gamma dy; and eq. (7) is dx_hat times the Jacobian of eq. (6)
    x, dy, gamma = rng.normal(1, 2, (5, 3)), rng.normal(size=(5, 3)), rng.uniform(0.5, 2, 3)
    y, (x_hat, sigma, _) = nz.batchnorm_forward(x, gamma, np.zeros(3))
    dx, _, _ = nz.batchnorm_backward(dy, (x_hat, sigma, gamma))
    assert maxdiff(dx, nz.standardize_backward(gamma * dy, x_hat, sigma, (0,))) < TOL
    N, c = 5, 1                                                     # one channel: x_hat_n depends on x_k
    J = (N * np.eye(N) - 1 - np.outer(x_hat[:, c], x_hat[:, c])) / (N * sigma[0, c])   # eq. (6)
    col = torch.tensor(x[:, c])
    J_t = torch.autograd.functional.jacobian(lambda v: F.batch_norm(v[:, None], None, None, training=True)[:, 0], col)
    assert maxdiff(J, J_t.numpy()) < TOL
    assert maxdiff(dx[:, c], gamma[c] * J.T @ dy[:, c]) < TOL


# ---------------------------------------------------------------- BatchNorm: running statistics, train vs eval

@pytest.mark.parametrize("shape, momentum", [((5, 3), 0.1), ((4, 3, 2, 2), 0.1), ((6, 3, 4), 0.3),
                                             ((5, 3), None)])
def test_running_statistics_and_eval_output_equal_torch(rng, shape, momentum):
    ours = nz.BatchNorm(3, momentum=momentum)
    Module = nn.BatchNorm2d if len(shape) == 4 else nn.BatchNorm1d
    theirs = Module(3, momentum=momentum).double()
    for _ in range(4):
        x = rng.normal(1, 2, shape)
        assert maxdiff(ours(x), theirs(torch.from_numpy(x)).detach()) < TOL      # train mode
        assert maxdiff(ours.running_mean, theirs.running_mean) < TOL
        assert maxdiff(ours.running_var, theirs.running_var) < TOL
    assert ours.num_batches_tracked == theirs.num_batches_tracked.item() == 4
    ours.eval(), theirs.eval()
    x = rng.normal(1, 2, shape)
    assert maxdiff(ours(x), theirs(torch.from_numpy(x)).detach()) < TOL          # eval mode
    assert ours.running_var.tolist() == pytest.approx(theirs.running_var.tolist(), abs=TOL)  # unchanged by eval


def test_running_var_is_unbiased_but_normalizing_uses_the_biased_variance(rng):
    x = rng.normal(0, 2, (4, 3, 2, 2))                                  # M = 4 * 2 * 2 = 16 per channel
    bn = nz.BatchNorm(3, momentum=1.0)                                  # running stats = this batch's
    y = bn(x)
    M = 16
    v = x.var(axis=(0, 2, 3))
    assert maxdiff(bn.running_var, v * M / (M - 1)) < TOL               # eq. (10)
    assert maxdiff(bn.running_var, x.transpose(1, 0, 2, 3).reshape(3, -1).var(axis=1, ddof=1)) < TOL
    assert maxdiff(y.var(axis=(0, 2, 3)), v / (v + 1e-5)) < TOL        # biased v in the denominator


def test_momentum_is_pytorch_convention_new_weight_m(rng):
    x = rng.normal(3, 1, (8, 2))
    bn = nz.BatchNorm(2, momentum=0.1)
    bn(x)
    assert maxdiff(bn.running_mean, 0.9 * 0 + 0.1 * x.mean(axis=0)) < TOL
    assert maxdiff(bn.running_var, 0.9 * 1 + 0.1 * x.var(axis=0, ddof=1)) < TOL


def test_eval_mode_uses_running_statistics_and_treats_examples_alone(rng):
    bn = nz.BatchNorm(3)
    bn.gamma, bn.beta = rng.uniform(0.5, 2, 3), rng.normal(size=3)
    bn.running_mean, bn.running_var = rng.normal(size=3), rng.uniform(0.5, 2, 3)
    x = rng.normal(size=(5, 3))
    y = bn.eval()(x)
    assert maxdiff(y, bn.gamma * (x - bn.running_mean) / np.sqrt(bn.running_var + 1e-5) + bn.beta) < TOL  # eq. (11)
    assert maxdiff(bn(x[2:3]), y[2:3]) < TOL                            # a row alone = the row in a batch


# ---------------------------------------------------------------- LayerNorm, RMSNorm, GroupNorm

@pytest.mark.parametrize("shape, normalized_shape", [((4, 5), (5,)), ((2, 3, 4), (4,)), ((2, 3, 4), (3, 4))])
def test_layernorm_equals_torch_and_finite_differences(rng, shape, normalized_shape):
    x, dy = rng.normal(1, 2, shape), rng.normal(size=shape)
    gamma, beta = rng.uniform(0.5, 2, normalized_shape), rng.normal(size=normalized_shape)
    y, cache = nz.layernorm_forward(x, gamma, beta)
    dx, dgamma, dbeta = nz.layernorm_backward(dy, cache)
    theirs = torch_run(set_affine(nn.LayerNorm(normalized_shape).double(), gamma, beta), x, dy)
    for ours, t in zip([y, dx, dgamma, dbeta], theirs):
        assert ours.shape == t.shape and maxdiff(ours, t) < TOL
    J = lambda: np.sum(dy * nz.layernorm_forward(x, gamma, beta)[0])   # noqa: E731
    assert maxdiff(dx, fd(J, x)) < FD_TOL and maxdiff(dgamma, fd(J, gamma)) < FD_TOL
    assert maxdiff(dbeta, fd(J, beta)) < FD_TOL


@pytest.mark.parametrize("eps", [None, 1e-6, 0.1])
def test_rmsnorm_equals_torch_and_finite_differences(rng, eps):
    x, dy, gamma = rng.normal(1, 2, (2, 3, 5)), rng.normal(size=(2, 3, 5)), rng.uniform(0.5, 2, 5)
    y, cache = nz.rmsnorm_forward(x, gamma, eps)
    dx, dgamma = nz.rmsnorm_backward(dy, cache)
    theirs = torch_run(set_affine(nn.RMSNorm(5, eps=eps).double(), gamma), x, dy)
    for ours, t in zip([y, dx, dgamma], theirs):
        assert maxdiff(ours, t) < TOL
    J = lambda: np.sum(dy * nz.rmsnorm_forward(x, gamma, eps)[0])      # noqa: E731
    assert maxdiff(dx, fd(J, x)) < FD_TOL and maxdiff(dgamma, fd(J, gamma)) < FD_TOL


def test_rmsnorm_default_eps_is_machine_epsilon_like_torch():
    x = 1e-9 * np.array([[1.0, -2.0, 3.0, 0.5]])                       # mean(x^2) ~ 4e-18 < eps(float64)
    ours = nz.rmsnorm_forward(x, np.ones(4))[0]
    theirs = nn.RMSNorm(4).double()(torch.from_numpy(x)).detach().numpy()
    assert nn.RMSNorm(4).eps is None and maxdiff(ours, theirs) < TOL
    assert maxdiff(ours, nz.rmsnorm_forward(x, np.ones(4), 1e-6)[0]) > 1e-3  # eps matters here


def test_rmsnorm_is_layernorm_without_the_mean(rng):
    x = rng.normal(size=(4, 6))
    x -= x.mean(axis=1, keepdims=True)                                  # zero-mean rows: the two agree
    ln = nz.layernorm_forward(x, np.ones(6), np.zeros(6), eps=1e-5)[0]
    assert maxdiff(nz.rmsnorm_forward(x, np.ones(6), eps=1e-5)[0], ln) < TOL
    assert maxdiff(nz.rmsnorm_forward(x + 1, np.ones(6), eps=1e-5)[0], ln) > 0.1   # not once shifted


@pytest.mark.parametrize("shape, G", [((3, 6, 2, 2), 3), ((3, 6, 2, 2), 1), ((3, 6, 2, 2), 6), ((4, 6), 2),
                                      ((2, 4, 5), 2)])
def test_groupnorm_equals_torch_and_finite_differences(rng, shape, G):
    x, dy = rng.normal(1, 2, shape), rng.normal(size=shape)
    C = shape[1]
    gamma, beta = rng.uniform(0.5, 2, C), rng.normal(size=C)
    y, cache = nz.groupnorm_forward(x, G, gamma, beta)
    dx, dgamma, dbeta = nz.groupnorm_backward(dy, cache)
    theirs = torch_run(set_affine(nn.GroupNorm(G, C).double(), gamma, beta), x, dy)
    for ours, t in zip([y, dx, dgamma, dbeta], theirs):
        assert ours.shape == t.shape and maxdiff(ours, t) < TOL
    J = lambda: np.sum(dy * nz.groupnorm_forward(x, G, gamma, beta)[0])   # noqa: E731
    assert maxdiff(dx, fd(J, x)) < FD_TOL and maxdiff(dgamma, fd(J, gamma)) < FD_TOL
    assert maxdiff(dbeta, fd(J, beta)) < FD_TOL


def test_layer_and_group_norm_do_not_mix_examples(rng):
    x = rng.normal(size=(5, 4, 3))
    y_ln = nz.layernorm_forward(x, np.ones(3), np.zeros(3))[0]
    y_gn = nz.groupnorm_forward(x, 2, np.ones(4), np.zeros(4))[0]
    x2 = x.copy()
    x2[1:] = 100 * rng.normal(size=(4, 4, 3))                            # change every other example
    assert maxdiff(nz.layernorm_forward(x2, np.ones(3), np.zeros(3))[0][0], y_ln[0]) == 0
    assert maxdiff(nz.groupnorm_forward(x2, 2, np.ones(4), np.zeros(4))[0][0], y_gn[0]) == 0
    assert maxdiff(nz.batchnorm_forward(x2, np.ones(4), np.zeros(4))[0][0],
                   nz.batchnorm_forward(x, np.ones(4), np.zeros(4))[0][0]) > 0.1   # BatchNorm does mix them


# ---------------------------------------------------------------- bad input

def test_wrong_channel_count_is_a_clear_error(rng):
    with pytest.raises(ValueError, match=r"C = 3 channels .* got shape \(5, 4\)"):
        nz.batchnorm_forward(rng.normal(size=(5, 4)), np.ones(3), np.zeros(3))
    with pytest.raises(ValueError, match=r"C = 3 channels"):
        nz.BatchNorm(3)(rng.normal(size=(5, 4, 2, 2)))
    with pytest.raises(RuntimeError, match="running_mean should contain 4 elements not 3"):
        nn.BatchNorm1d(3)(torch.randn(5, 4))                             # PyTorch's own message


@pytest.mark.parametrize("x_shape", [(6,), (2, 3, 2, 2, 2)])
def test_batchnorm_rejects_wrong_rank(x_shape):
    with pytest.raises(ValueError, match=r"\(N, C\), \(N, C, L\) or \(N, C, H, W\)"):
        nz.batchnorm_forward(np.ones(x_shape), np.ones(3), np.zeros(3))


def test_affine_parameters_of_the_wrong_shape_are_rejected():
    with pytest.raises(ValueError, match=r"gamma and beta must have shape \(C,\)"):
        nz.batchnorm_forward(np.ones((4, 3)), np.ones(3), np.zeros(2))
    with pytest.raises(ValueError, match="beta must have gamma's shape"):
        nz.layernorm_forward(np.ones((4, 3)), np.ones(3), np.zeros(4))


def test_layer_and_rms_norm_reject_a_wrong_normalized_shape(rng):
    with pytest.raises(ValueError, match=r"normalized_shape = gamma's shape \(5,\), got shape \(2, 4\)"):
        nz.layernorm_forward(rng.normal(size=(2, 4)), np.ones(5), np.zeros(5))
    with pytest.raises(ValueError, match="normalized_shape"):
        nz.rmsnorm_forward(rng.normal(size=(2, 4)), np.ones(5))
    with pytest.raises(ValueError, match="normalized_shape"):
        nz.layernorm_forward(rng.normal(size=(5,)), np.ones(5), np.zeros(5))   # no batch axis
    with pytest.raises(RuntimeError, match=r"normalized_shape=\[5\]"):
        nn.LayerNorm(5)(torch.randn(2, 4))


@pytest.mark.parametrize("G", [3, 0, 5])
def test_groups_must_divide_channels(rng, G):
    with pytest.raises(ValueError, match=rf"C = 4 must be divisible by the number of groups G = {G}"):
        nz.groupnorm_forward(rng.normal(size=(2, 4, 3)), G, np.ones(4), np.zeros(4))


def test_torch_groupnorm_also_refuses_groups_that_do_not_divide():
    with pytest.raises(ValueError, match=r"num_channels \(4\) must be divisible by num_groups \(3\)"):
        nn.GroupNorm(3, 4)


@pytest.mark.parametrize("x", [np.array([["a", "b"], ["c", "d"]]), np.ones((3, 2), dtype=bool)])
def test_non_numeric_input_is_a_type_error(x):
    with pytest.raises(TypeError, match="real numbers"):
        nz.batchnorm_forward(x, np.ones(2), np.zeros(2))


def test_integer_input_is_accepted_as_float(rng):
    x = rng.integers(-5, 5, size=(6, 2))
    assert maxdiff(nz.batchnorm_forward(x, np.ones(2), np.zeros(2))[0],
                   nz.batchnorm_forward(x.astype(float), np.ones(2), np.zeros(2))[0]) == 0


def test_batch_of_one_in_train_mode_raises_like_torch(rng):
    with pytest.raises(ValueError, match=r"more than 1 value per channel .* got input shape \(1, 3\)"):
        nz.BatchNorm(3)(rng.normal(size=(1, 3)))
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        nn.BatchNorm1d(3)(torch.randn(1, 3))
    x = rng.normal(size=(1, 3, 2, 2))                                    # one image but 4 values per channel
    ours = nz.BatchNorm(3)(x)
    assert maxdiff(ours, nn.BatchNorm2d(3).double()(torch.from_numpy(x)).detach()) < TOL
    assert nz.BatchNorm(3).eval()(rng.normal(size=(1, 3))).shape == (1, 3)   # eval mode: fine


# ---------------------------------------------------------------- extreme values

@pytest.mark.parametrize("scale, offset", [(1e8, 0.0), (1e-8, 0.0), (1.0, 1e6)])
def test_extreme_scales_stay_finite_and_equal_torch(rng, scale, offset):
    x = offset + scale * rng.normal(size=(6, 3))
    dy = rng.normal(size=(6, 3))
    for ours_fwd, ours_bwd, module in [
            (nz.batchnorm_forward, nz.batchnorm_backward, nn.BatchNorm1d(3)),
            (nz.layernorm_forward, nz.layernorm_backward, nn.LayerNorm(3))]:
        y, cache = ours_fwd(x, np.ones(3), np.zeros(3))
        dx = ours_bwd(dy, cache)[0]
        y_t, dx_t, _, _ = torch_run(module.double(), x, dy)
        assert np.all(np.isfinite(y)) and np.all(np.isfinite(dx))
        assert maxdiff(y, y_t) < 1e-8 and maxdiff(dx, dx_t) < 1e-8 * np.abs(dx_t).max()


def test_constant_input_gives_beta_and_finite_gradients(rng):
    x, dy = np.full((5, 2), 7.0), rng.normal(size=(5, 2))
    gamma, beta = np.array([2.0, 3.0]), np.array([-1.0, 0.5])
    y, cache = nz.batchnorm_forward(x, gamma, beta)
    assert np.array_equal(y, np.broadcast_to(beta, (5, 2)))              # x - mu = 0 exactly
    dx, dgamma, dbeta = nz.batchnorm_backward(dy, cache)
    _, dx_t, dgamma_t, dbeta_t = torch_run(set_affine(nn.BatchNorm1d(2).double(), gamma, beta), x, dy)
    assert maxdiff(dx, dx_t) < 1e-10 and maxdiff(dgamma, dgamma_t) < TOL and maxdiff(dbeta, dbeta_t) < TOL
    r_y, r_cache = nz.rmsnorm_forward(np.zeros((2, 4)), np.ones(4))      # all zeros: RMS = sqrt(eps)
    assert np.array_equal(r_y, np.zeros((2, 4)))
    assert np.all(np.isfinite(nz.rmsnorm_backward(np.ones((2, 4)), r_cache)[0]))


# ---------------------------------------------------------------- pitfalls

def test_forgetting_eval_makes_predictions_depend_on_the_batch():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 1)).double()
    x0 = torch.randn(1, 3, dtype=torch.float64)
    a, b = torch.randn(7, 3, dtype=torch.float64), 3 * torch.randn(7, 3, dtype=torch.float64) + 1
    assert nz.same_example_two_batches(model.train(), x0, a, b) > 1e-2     # the symptom
    assert nz.same_example_two_batches(model.eval(), x0, a, b) < TOL        # the fix


def test_a_batch_of_two_loses_the_values(rng):
    x = rng.normal(0, 50, (2, 4))                                        # any two distinct rows
    y, _ = nz.batchnorm_forward(x, np.ones(4), np.zeros(4))
    d = np.abs(x[0] - x[1])
    assert maxdiff(np.abs(y), np.broadcast_to(d / np.sqrt(d**2 + 4e-5), (2, 4))) < TOL   # = ±1 up to eps
    assert np.all(np.abs(np.abs(y) - 1) < 1e-6)


def test_bias_before_batchnorm_gets_zero_gradient(rng):
    X = torch.from_numpy(rng.normal(size=(6, 3)))
    lin, bn = nn.Linear(3, 4).double(), nn.BatchNorm1d(4).double()
    (bn(lin(X)) ** 3).sum().backward()
    assert lin.bias.grad.abs().max() < 1e-12 < 1e-2 < lin.weight.grad.abs().max()


def test_epsilon_conventions_differ_on_small_activations(rng):
    x = torch.from_numpy(0.01 * rng.normal(size=(2, 8)))
    assert (F.layer_norm(x, (8,), eps=1e-5) - F.layer_norm(x, (8,), eps=1e-3)).abs().max() > 0.5


# ---------------------------------------------------------------- exercises

def test_exercise_1_gradient_sums(rng):
    x, dy, gamma = rng.normal(1, 2, (6, 3)), rng.normal(size=(6, 3)), rng.uniform(0.5, 2, 3)
    for eps in (0.0, 1e-5, 0.5):
        y, cache = nz.batchnorm_forward(x, gamma, np.zeros(3), eps)
        s1, s2 = nz.batchnorm_grad_sums(dy, cache)
        _, dgamma, _ = nz.batchnorm_backward(dy, cache)
        v, sigma = x.var(axis=0), cache[1][0]
        assert np.max(np.abs(s1)) < 1e-12
        assert maxdiff(s2, gamma / sigma * dgamma * eps / (v + eps)) < 1e-12   # 0 when eps = 0
    assert np.max(np.abs(s2)) > 1e-3                                      # eps = 0.5: visibly non-zero


@pytest.mark.parametrize("a", [0.1, 3.0, 100.0])
def test_exercise_2_scale_invariance(rng, a):
    X, W, dY = rng.normal(size=(8, 3)), rng.normal(size=(4, 3)), rng.normal(size=(8, 4))
    Y, dW = nz.linear_bn_grad(X, W, dY)
    Y_a, dW_a = nz.linear_bn_grad(X, a * W, dY)
    assert maxdiff(Y, Y_a) < 1e-12                                       # eq. (17)
    assert maxdiff(a * dW_a, dW) < 1e-12                                 # eq. (18)
    assert np.max(np.abs(np.sum(dW * W, axis=1))) < 1e-12               # each row's gradient is orthogonal to it
    assert np.max(np.abs(dW)) > 1e-2


def test_exercise_3_instance_and_layer_norm_are_group_norm_limits(rng):
    x = rng.normal(1, 2, (3, 4, 2, 3))
    t = torch.from_numpy(x)
    assert maxdiff(nz.instance_norm(x), F.instance_norm(t)) < TOL
    assert maxdiff(nz.instance_norm(x), nn.InstanceNorm2d(4).double()(t)) < TOL
    assert maxdiff(nz.layer_norm_all_channels(x), F.layer_norm(t, t.shape[1:])) < TOL


def test_exercise_4_folding_batchnorm_into_the_linear_layer(rng):
    torch.manual_seed(1)
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4)).double()
    with torch.no_grad():
        model[1].weight.uniform_(0.5, 2), model[1].bias.normal_()
    for _ in range(5):                                                   # fill the running statistics
        model(torch.from_numpy(rng.normal(2, 3, (8, 3))))
    model.eval()
    lin, bn = model
    W2, b2 = nz.fold_batchnorm(lin.weight.detach().numpy(), lin.bias.detach().numpy(),
                               bn.weight.detach().numpy(), bn.bias.detach().numpy(),
                               bn.running_mean.numpy(), bn.running_var.numpy(), bn.eps)
    x = rng.normal(size=(6, 3))
    assert maxdiff(x @ W2.T + b2, model(torch.from_numpy(x)).detach()) < TOL
    model.train()                                                        # in train mode it is NOT one layer
    assert maxdiff(x @ W2.T + b2, model(torch.from_numpy(x)).detach()) > 1e-3


# ---------------------------------------------------------------- figures and the command line

def test_figures():
    import matplotlib.pyplot as plt
    fig = nz.plot_norm_axes()
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["BatchNorm", "LayerNorm", "InstanceNorm", "GroupNorm (G = 2)"]
    shaded = [sum(p.get_facecolor()[0] < 0.5 for p in ax.patches) for ax in fig.axes]
    assert shaded == [4 + 1, 6 + 1 + 6, 1 + 1, 3 + 3]                    # front + right + top faces
    plt.close(fig)
    fig = nz.plot_batch_noise()
    N, median = fig.axes[0].lines[0].get_data()
    assert abs(median[-1] - 1) < 0.05 and list(N) == sorted(N)           # large batches: close to eval
    plt.close(fig)


@pytest.fixture
def run(run_main):
    return lambda *args: run_main(MODULE, *args)


def test_check_reports_agreement_with_pytorch(run):
    lines = run("--check").strip().splitlines()[1:]
    assert len(lines) == 25
    for line in lines:
        numbers = [float(v) for v in re.findall(r"\d\.\de[+-]\d\d", line)]
        assert 1 <= len(numbers) <= 2 and numbers[0] < TOL, line        # vs PyTorch
        if re.search(r" d(x|gamma|beta) ", line):
            assert len(numbers) == 2 and numbers[1] < 1e-7, line        # vs finite differences


def test_demo_numpy_and_torch_print_the_same_numbers(run):
    numpy_part, torch_part = run().split("\n\n")
    assert numpy_part.strip() == torch_part.strip()
    assert "mean over N: [0. 0. 0.]" in numpy_part


def test_pitfalls_demo_shows_the_symptoms(run):
    out = run("--pitfalls")
    train = float(out.split("train mode: max |difference| =")[1].split()[0])
    evaluation = float(out.split("eval mode:  max |difference| =")[1].split()[0])
    assert train > 0.01 and evaluation == 0.0
    assert "Expected more than 1 value per channel when training" in out
    assert "running_mean should contain 4 elements not 3" in out
    assert "must be divisible by num_groups" in out
