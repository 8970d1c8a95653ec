"""Tests for code/training/regularization.py (page: docs/training/regularization.md).

The penalties' gradients equal torch.autograd and finite differences; SGD with an L2 term equals decoupled
weight decay and torch.optim.SGD(weight_decay); Adam with an L2 term equals torch.optim.Adam(weight_decay)
and AdamW equals torch.optim.AdamW, step for step in float64, while the two differ from each other for every
decay strength tried; inverted dropout equals nn.Dropout given torch's own mask, keeps the mean (a
statistical test) and is the identity in eval mode; early stopping stops after `patience` epochs and
restores the best weights; shifts keep shapes and labels and equal a pad-and-crop in PyTorch; the training
runs show what the page says they show; bad input raises a clear error; the exercise solutions hold.
"""
import re

import numpy as np
import pytest
import torch
from torch import nn

import regularization as reg

TOL = 1e-12


def t(a):
    return torch.as_tensor(np.asarray(a))


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """One thread for these tiny matrices (much faster on a busy machine); restored for other tests."""
    with reg.one_thread():
        yield


@pytest.fixture
def rng():
    return np.random.default_rng(3)


@pytest.fixture(scope="module")
def runs():
    return reg.runs()


@pytest.fixture(scope="module")
def data():
    return reg.digits_split()


# ---------------------------------------------------------------- over- and underfitting, ridge

def test_polynomial_under_and_overfits():
    (x, y), (x_val, y_val) = reg.poly_data(12), reg.poly_data(200, seed=1)

    def mses(degree, lam=0.0):
        w = reg.fit_ridge(reg.poly_features(x, degree), y, lam)
        return [np.mean((reg.poly_features(a, degree) @ w - b) ** 2) for a, b in ((x, y), (x_val, y_val))]
    under, good, over, tamed, heavy = mses(1), mses(3), mses(11), mses(11, 1e-3), mses(11, 1.0)
    assert under[0] > 3 * good[0] and under[1] > 3 * good[1]      # underfit: bad on both sets
    assert over[0] < 1e-10 and over[1] > 100 * good[1]             # overfit: perfect on train, awful on val
    assert tamed[1] < over[1] / 100 and tamed[0] > over[0]        # L2 trades training fit for validation
    assert heavy[0] > under[0] / 2                                 # too much L2 underfits again


def test_fit_ridge_solves_the_normal_equations(rng):
    Phi, y = rng.normal(size=(10, 4)), rng.normal(size=10)
    for lam in (0.0, 0.1, 3.0):
        w = reg.fit_ridge(Phi, y, lam)
        # gradient of (1/N)||Phi w - y||^2 + (lam/2)||w||^2 is zero, eq. (5)
        assert np.abs(2 / 10 * Phi.T @ (Phi @ w - y) + lam * w).max() < 1e-12
        closed = torch.linalg.solve(t(Phi).T @ t(Phi) + 10 * lam / 2 * torch.eye(4, dtype=torch.float64),
                                    t(Phi).T @ t(y))
        assert np.abs(w - closed.numpy()).max() < 1e-10
    with pytest.raises(ValueError, match=r"lam must lie in \[0, inf\]"):
        reg.fit_ridge(Phi, y, -0.1)


# ---------------------------------------------------------------- penalties

def test_l2_penalty_value_and_gradient(rng, finite_difference):
    w = rng.normal(size=(3, 4))
    value, grad = reg.l2_penalty(w, 0.7)
    tw = t(w).requires_grad_(True)
    torch_value = 0.5 * 0.7 * (tw ** 2).sum()
    torch_value.backward()
    assert abs(value - torch_value.item()) < TOL
    assert np.abs(grad - tw.grad.numpy()).max() < TOL
    assert np.abs(grad - finite_difference(lambda v: reg.l2_penalty(v, 0.7)[0], w)).max() < 1e-8


def test_l1_penalty_value_and_subgradient(rng, finite_difference):
    w = rng.normal(size=(3, 4))
    w[0, 0] = 0.0                                                  # torch's |w|' at 0 is 0, like sign(0)
    value, grad = reg.l1_penalty(w, 0.4)
    tw = t(w).requires_grad_(True)
    (0.4 * tw.abs().sum()).backward()
    assert abs(value - 0.4 * np.abs(w).sum()) < TOL
    assert np.abs(grad - tw.grad.numpy()).max() < TOL
    away = w.copy()
    away[0, 0] = 0.5                                               # differentiable away from 0
    assert np.abs(reg.l1_penalty(away, 0.4)[1] - finite_difference(lambda v: reg.l1_penalty(v, 0.4)[0], away)).max() < 1e-8


def test_soft_threshold_is_the_l1_proximal_step():
    v = np.array([-3.0, -1.0, -0.5, 0.0, 0.2, 1.0, 2.5])
    assert np.array_equal(reg.soft_threshold(v, 1.0), [-2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.5])
    with pytest.raises(ValueError, match=r"tau must lie in \[0, inf\]"):
        reg.soft_threshold(v, -1.0)
    for penalty in (reg.l1_penalty, reg.l2_penalty):
        with pytest.raises(ValueError, match=r"lam must lie in \[0, inf\], got -0.1"):
            penalty(v, -0.1)


def test_proximal_l1_gives_exact_zeros_and_subgradient_does_not():
    X, y, w0 = reg.linreg_data()
    sub, prox = (reg.l1_descent(X, y, w0, 2.0, proximal) for proximal in (False, True))
    assert np.sum(prox == 0) == 4 and np.sum(sub == 0) == 0
    assert np.abs(sub[:4]).max() < 0.05                           # subgradient: small, never exactly 0
    assert abs(sub[4] - prox[4]) < 0.01                            # the one weight that matters agrees
    # prox is a fixed point of the proximal step: the lasso's optimality condition
    g = 2 / len(y) * X.T @ (X @ prox - y)
    assert np.abs(reg.soft_threshold(prox - 0.01 * g, 0.02) - prox).max() < 1e-10


# ---------------------------------------------------------------- weight decay: SGD, Adam, AdamW

def test_l2_step_equals_weight_decay_step(rng):
    w, g = rng.normal(size=20), rng.normal(size=20)
    for lr, lam in ((0.1, 0.01), (0.5, 0.3), (1e-3, 5.0)):
        assert np.abs(reg.sgd_l2_step(w, g, lr, lam) - reg.sgd_decay_step(w, g, lr, lam)).max() < 1e-15
    assert np.abs(reg.sgd_decay_step(w, g, 0.1, 0.5) - reg.sgd_decay_step(w, g, 0.1, 0.4)).max() > 1e-3


@pytest.mark.parametrize("lam", [0.0, 0.1, 1.0])
def test_sgd_trajectories_equal_torch_sgd(lam):
    torch_W = reg.torch_trajectory(torch.optim.SGD, lam, steps=20)
    for kind in ("sgd_l2", "sgd_decay"):
        assert np.abs(reg.trajectory(kind, lam, steps=20) - torch_W).max() < TOL


@pytest.mark.parametrize("lam", [0.0, 0.1, 2.0])
def test_adam_with_l2_equals_torch_adam(lam):
    ours, theirs = reg.trajectory("adam_l2", lam, steps=20), reg.torch_trajectory(torch.optim.Adam, lam, steps=20)
    assert np.abs(ours - theirs).max() < TOL


@pytest.mark.parametrize("lam", [0.0, 0.1, 2.0])
def test_adamw_equals_torch_adamw_and_adam_decoupled(lam):
    ours = reg.trajectory("adamw", lam, steps=20)
    assert np.abs(ours - reg.torch_trajectory(torch.optim.AdamW, lam, steps=20)).max() < TOL
    assert np.abs(ours - reg.torch_trajectory(torch.optim.Adam, lam, steps=20,
                                              decoupled_weight_decay=True)).max() < TOL


def test_adam_l2_and_adamw_differ_for_every_decay_strength():
    W_adam = reg.trajectory("adam_l2", 0.1, steps=20)
    gaps = [np.abs(W_adam - reg.trajectory("adamw", lam_w, steps=20)).max() for lam_w in np.logspace(-3, 2, 51)]
    assert min(gaps) > 0.05
    # ... while without any decay the two are the same optimizer
    assert np.abs(reg.trajectory("adam_l2", 0.0) - reg.trajectory("adamw", 0.0)).max() == 0.0


def test_first_adam_step_derivation():
    """Eq. (11) at t = 1: m_hat = g, v_hat = g^2, so the step is lr g / (|g| + eps), about lr sign(g).
    With L2 that is lr sign(g + lam w), whatever lam is; AdamW adds lr lam w to lr sign(g)."""
    w, g, lr, lam, eps = np.array([0.8, -0.5, 2.0]), np.array([0.0, 3.0, -1e-3]), 0.01, 0.1, 1e-8
    step_l2 = w - reg.adam_step(w, g, {}, lr=lr, weight_decay=lam)
    step_w = w - reg.adam_step(w, g, {}, lr=lr, weight_decay=lam, decoupled=True)
    u = g + lam * w
    assert np.abs(step_l2 - lr * u / (np.abs(u) + eps)).max() < 1e-15
    assert np.abs(step_w - (lr * g / (np.abs(g) + eps) + lr * lam * w)).max() < 1e-15
    assert np.abs(step_l2 - lr * np.sign(u)).max() < 1e-6          # the decay only flipped a sign


def test_adam_rejects_negative_decay():
    with pytest.raises(ValueError, match=r"weight_decay must lie in \[0, inf\]"):
        reg.adam_step(np.ones(2), np.ones(2), {}, weight_decay=-0.1)
    with pytest.raises(ValueError, match="kind must be"):
        reg.trajectory("adam", 0.1)


# ---------------------------------------------------------------- dropout

@pytest.mark.parametrize("p", [0.1, 0.3, 0.5, 0.8])
def test_dropout_equals_nn_dropout_given_its_mask(p, rng):
    h = rng.uniform(0.1, 2.0, size=(7, 9)) * rng.choice([-1, 1], size=(7, 9))   # no exact zeros
    torch.manual_seed(1)
    th = t(h).requires_grad_(True)
    out = nn.Dropout(p)(th)
    G = rng.normal(size=h.shape)
    out.backward(t(G))
    mask = reg.mask_from_output(out.detach().numpy())
    ours, m = reg.dropout(h, p, mask=mask)
    assert np.array_equal(ours, out.detach().numpy())             # exact, bit for bit
    assert np.array_equal(reg.dropout_backward(G, m, p), th.grad.numpy())
    assert 0 < mask.sum() < mask.size                              # the test saw kept and dropped units


def test_dropout_backward_equals_finite_differences(rng, finite_difference):
    h, G = rng.normal(size=(4, 5)), rng.normal(size=(4, 5))
    _, mask = reg.dropout(h, 0.4, np.random.default_rng(0))
    fd = finite_difference(lambda v: np.sum(G * reg.dropout(v, 0.4, mask=mask)[0]), h)
    assert np.abs(reg.dropout_backward(G, mask, 0.4) - fd).max() < 1e-8


@pytest.mark.parametrize("p", [0.2, 0.5, 0.7])
def test_dropout_keeps_the_mean_statistically(p):
    """Eq. (15): E[output] = h. Ours and nn.Dropout, n = 400,000 ones: each mean within 5 standard errors
    of 1, the fraction zeroed within 5 standard errors of p, kept values exactly 1/(1 - p)."""
    n = 400_000
    torch.manual_seed(0)
    for out in (reg.dropout(np.ones(n), p, np.random.default_rng(0))[0],
                nn.Dropout(p)(torch.ones(n, dtype=torch.float64)).numpy()):
        assert abs(out.mean() - 1) < 5 * np.sqrt(p / ((1 - p) * n))
        assert abs(np.mean(out == 0) - p) < 5 * np.sqrt(p * (1 - p) / n)
        assert np.array_equal(np.unique(out[out != 0]), [1 / (1 - p)])
    biased = reg.dropout(np.ones(n), p, np.random.default_rng(0))[0] * (1 - p)   # forgot the 1/(1 - p)
    assert abs(biased.mean() - 1) > 100 * np.sqrt(p / ((1 - p) * n))


def test_dropout_eval_mode_and_edge_cases(rng):
    h = rng.normal(size=(3, 4))
    assert np.array_equal(reg.dropout(h, 0.5, training=False)[0], h)
    assert np.array_equal(nn.Dropout(0.5).eval()(t(h)).numpy(), h)
    assert np.array_equal(reg.dropout(h, 0.0, rng)[0], h)
    assert np.array_equal(reg.dropout(h, 1.0, rng)[0], np.zeros_like(h))
    assert np.array_equal(nn.Dropout(1.0)(t(h)).numpy(), np.zeros_like(h))
    big = np.full(5, 1e300)                                        # large but finite: stays finite
    out, mask = reg.dropout(big, 0.5, np.random.default_rng(0))
    assert np.all(np.isfinite(out)) and np.array_equal(out, big * mask * 2.0)


def test_dropout_bad_input(rng):
    with pytest.raises(ValueError, match=r"dropout probability p must lie in \[0, 1\], got 1.5"):
        reg.dropout(np.ones(3), 1.5, rng)
    with pytest.raises(TypeError, match="dropout probability p must be a real number, got str"):
        reg.dropout(np.ones(3), "0.5", rng)
    with pytest.raises(ValueError, match=r"mask must hold only 0s and 1s in the shape of h, \(3,\)"):
        reg.dropout(np.ones(3), 0.5, mask=np.array([1.0, 0.5, 0.0]))
    with pytest.raises(ValueError, match="mask must hold"):
        reg.dropout(np.ones(3), 0.5, mask=np.ones(4))


def test_eval_mode_switches_dropout_off(runs, data):
    model = runs[1]["dropout p = 0.5"][0]
    a, b = reg.predictions_in_mode(model, data[2], training=True)
    assert (a != b).sum() > 0                                     # the symptom of forgetting model.eval()
    a, b = reg.predictions_in_mode(model, data[2], training=False)
    assert torch.equal(a, b)
    without = nn.Sequential(model[0], model[1], model[3])         # the same weights, no dropout layer
    with torch.no_grad():
        X = torch.as_tensor(data[2], dtype=torch.float32)
        model.eval()
        assert torch.equal(model(X), without(X))                  # eval-mode dropout is the identity


# ---------------------------------------------------------------- early stopping

class Counter(nn.Module):
    """A one-number model whose weight is set to the epoch, so restored weights tell which epoch they are."""

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.zeros(1))


def run_stopper(stopper, losses):
    model = Counter()
    for epoch, loss in enumerate(losses):
        with torch.no_grad():
            model.w.fill_(epoch)
        if stopper.step(loss, model):
            break
    stopper.restore(model)
    return epoch, model.w.item()


def test_early_stopping_patience_and_restore():
    losses = [5, 4, 3, 3.5, 3.2, 2.9, 3.0, 3.1, 3.3, 3.0, 2.95, 1.0]
    stopped, restored = run_stopper(reg.EarlyStopping(patience=5), losses)
    assert (stopped, restored) == (10, 5.0)                        # best at 5, five epochs without gain
    stopped, restored = run_stopper(reg.EarlyStopping(patience=6), losses)
    assert (stopped, restored) == (11, 11.0)                       # one more epoch of patience finds 1.0
    stopped, restored = run_stopper(reg.EarlyStopping(patience=2, min_delta=0.5), [5, 4, 3.8, 3.6, 3.4])
    assert (stopped, restored) == (3, 1.0)                         # gains under min_delta do not count
    stopped, restored = run_stopper(reg.EarlyStopping(patience=2), [1.0, float("nan"), float("nan")])
    assert (stopped, restored) == (2, 0.0)                         # NaN is never an improvement


def test_live_state_dict_restores_the_last_weights():
    losses = [5, 4, 3, 3.5, 3.6, 3.7]
    assert run_stopper(reg.LiveEarlyStopping(patience=3), losses) == (5, 5.0)   # the bug: last, not best
    assert run_stopper(reg.EarlyStopping(patience=3), losses) == (5, 2.0)


def test_early_stopping_in_training(data):
    stopper = reg.EarlyStopping(patience=10)
    model, h = reg.train_mlp(data, stopper=stopper)
    assert len(h) == stopper.best_epoch + 10 + 1 < 100
    assert stopper.best_epoch == int(np.argmin(h[:, 1]))
    assert abs(reg.evaluate(model, data[2], data[3])[0] - h[:, 1].min()) < 1e-6
    assert h[-1, 1] > h[:, 1].min()                                # the last weights are worse


def test_early_stopping_bad_input():
    for patience in (0, 2.5, True):
        with pytest.raises(ValueError, match="patience must be an integer >= 1"):
            reg.EarlyStopping(patience=patience)
    with pytest.raises(ValueError, match=r"min_delta must lie in \[0, inf\]"):
        reg.EarlyStopping(min_delta=-1.0)


# ---------------------------------------------------------------- data augmentation

@pytest.mark.parametrize("dy, dx", [(dy, dx) for dy in (-2, -1, 0, 1, 2) for dx in (-2, -1, 0, 1, 2)])
def test_shift_equals_torch_pad_and_crop(dy, dx, rng):
    X = rng.uniform(size=(4, 64))
    out = reg.shift_images(X, dy, dx)
    assert out.shape == X.shape
    assert np.array_equal(out, reg.torch_shift_images(X, dy, dx).numpy())
    I, O = X.reshape(-1, 8, 8), out.reshape(-1, 8, 8)
    assert np.array_equal(O[:, 3 + dy, 4 + dx], I[:, 3, 4])         # a pixel lands dy down, dx right


def test_shift_back_recovers_the_interior(rng):
    X = rng.uniform(size=(3, 64))
    back = reg.shift_images(reg.shift_images(X, 1, -1), -1, 1).reshape(-1, 8, 8)
    assert np.array_equal(back[:, :7, 1:], X.reshape(-1, 8, 8)[:, :7, 1:])
    assert np.all(back[:, 7, :] == 0) and np.all(back[:, :, 0] == 0)   # the edge that fell off is zero


def test_random_shifts_keep_labels_and_shapes():
    X, y = reg.digits_split()[:2]
    X_aug, y_aug = reg.random_shifts(X, y, np.random.default_rng(0))
    assert X_aug.shape == X.shape and X_aug.dtype == np.float64
    assert np.array_equal(y_aug, y)
    candidates = np.stack([reg.shift_images(X, dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1)])  # (9, N, 64)
    matches = (candidates == X_aug).all(axis=2)                    # (9, N): which shift made each row
    assert matches.any(axis=0).all()                               # every row is one of the 9 shifts
    assert (~matches[4]).sum() > len(X) // 2                       # and most rows really moved
    assert X_aug.min() >= 0 and X_aug.max() <= 1


def test_shift_bad_input():
    with pytest.raises(ValueError, match=r"X must have shape \(N, 64\).*got \(2, 8, 8\)"):
        reg.shift_images(np.zeros((2, 8, 8)), 1, 0)
    with pytest.raises(ValueError, match=r"shifts dy, dx must be integers in \[-7, 7\]"):
        reg.shift_images(np.zeros((2, 64)), 8, 0)
    with pytest.raises(ValueError, match="must be integers"):
        reg.shift_images(np.zeros((2, 64)), 0.5, 0)
    with pytest.raises(ValueError, match=r"labels y must have shape \(N,\) = \(2,\)"):
        reg.random_shifts(np.zeros((2, 64)), np.zeros(3, dtype=int), np.random.default_rng(0))


# ---------------------------------------------------------------- the training runs

def test_overfitting_and_what_each_regularizer_does(runs, data):
    _, results = runs
    h0 = results["no regularization"][1]
    assert h0[-1, 0] < 0.01 and h0[-1, 1] > 20 * h0[-1, 0]        # overfit: big train / validation gap
    for name in ("weight decay 0.5 (AdamW)", "dropout p = 0.5"):
        assert results[name][1][-1, 1] < h0[-1, 1] - 0.03          # lower validation loss
        assert results[name][1][-1, 2] >= h0[-1, 2]                # and no worse accuracy
    shifted = {k: reg.evaluate(m, data[4], data[3])[1] for k, (m, _) in results.items()}
    assert shifted["random 1-pixel shifts"] > shifted["no regularization"] + 0.3


def test_label_smoothing_caps_confidence(runs, data):
    _, results = runs
    plain = reg.mean_confidence(results["no regularization"][0], data[0])
    smooth = reg.mean_confidence(results["label smoothing 0.1"][0], data[0])
    cap = 1 - 0.1 + 0.1 / 10                                       # the smoothed target's probability
    assert plain > 0.99 and cap - 0.05 < smooth < cap + 0.002


# ---------------------------------------------------------------- exercises

@pytest.mark.parametrize("v", [-2.5, -0.3, 0.0, 0.5, 3.0])
def test_exercise_1_soft_threshold_and_shrinkage(v):
    assert abs(reg.grid_minimizer(v, 1.0) - reg.soft_threshold(v, 1.0)) < 1e-4
    assert abs(reg.grid_minimizer(v, 1.0, "l2") - v / 2) < 1e-4


def test_exercise_2_dropout_variance():
    for h, p in ((1.0, 0.5), (2.0, 0.1), (3.0, 0.3)):
        measured, formula = reg.dropout_variance(h, p)
        assert abs(measured - formula) < 0.02 * formula


def test_exercise_3_weight_decay_converges_to_ridge():
    x, y = reg.poly_data(12)
    Phi = reg.poly_features(x, 3)
    assert np.abs(reg.ridge_by_weight_decay(Phi, y, 0.1, 0.2, 5000) - reg.fit_ridge(Phi, y, 0.1)).max() < 1e-10
    assert np.abs(reg.ridge_by_weight_decay(Phi, y, 0.1, 0.2, 5000) - reg.fit_ridge(Phi, y, 0.0)).max() > 1e-2


def test_exercise_4_untouched_weight():
    for lam in (0.01, 1.0):
        adam, adamw = reg.untouched_weight(lam)
        t_ = np.arange(201)
        assert np.abs(adam - (1 - 1e-3 * t_)).max() < 0.01          # about lr per step, whatever lam is
        assert np.abs(adamw - (1 - 1e-3 * lam) ** t_).max() < 1e-12  # geometric, rate lr * lam
    assert np.abs(reg.untouched_weight(0.01)[0] - reg.untouched_weight(1.0)[0]).max() < 1e-6


# ---------------------------------------------------------------- the command line

def test_check_output_is_all_close(capsys):
    reg.check()
    rows = re.findall(r"^(\S.*?)\s+(\d\.\de[+-]\d\d)$", capsys.readouterr().out, re.M)
    assert len(rows) == 10
    for name, value in rows:
        assert (float(value) > 0.1) if name.startswith("(contrast)") else (float(value) < 1e-12), name
