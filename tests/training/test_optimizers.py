"""Tests for code/training/optimizers.py (page: docs/training/optimizers.md).

Every from-scratch optimizer (SGD with weight decay, momentum, dampening and Nesterov; Adagrad; RMSprop
with momentum and centering; Adam with L2 and AMSGrad; AdamW) equals torch.optim parameter for parameter
over 150+ steps on an MLP with four tensors of different shapes, in float64, to 1e-12 relative; eps sits
where torch puts it; defaults equal torch's; the bias correction, the heavy-ball analysis, the scale
invariance and the step bound hold numerically; bad hyperparameters and gradients raise clear errors.
"""
import copy
import inspect

import numpy as np
import pytest
import torch

import optimizers as opt

REL = 1e-12


def rel_diff(a, b):
    return np.abs(a - b).max() / np.abs(b).max()


def torch_steps(name, w0, grads, **hyper):
    """torch.optim.<name> fed a given sequence of gradients (no autograd needed): the iterates."""
    w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    o = getattr(torch.optim, name)([w], **hyper)
    path = [w.detach().clone()]
    for g in grads:
        w.grad = torch.tensor(g, dtype=torch.float64)
        o.step()
        path.append(w.detach().clone())
    return torch.stack(path).numpy()


def numpy_steps(name, w0, grads, **hyper):
    w = np.array(w0, dtype=np.float64)
    o = opt.OPTIMIZERS[name]([w], **hyper)
    path = [w.copy()]
    for g in grads:
        o.step([g])
        path.append(w.copy())
    return np.array(path)


# ---------------------------------------------------------------- equal to torch.optim, step for step

@pytest.mark.parametrize("name, hyper", opt.CONFIGS, ids=lambda x: str(x))
def test_matches_torch_optim_on_the_mlp(name, hyper):
    losses, ours = opt.train(name, steps=150, **hyper)
    torch_losses, theirs = opt.train_torch(name, steps=150, **hyper)
    assert ours.shape == theirs.shape == (151, 32)
    assert np.abs(ours[-1] - ours[0]).max() > 1e-2                    # it really trained
    assert rel_diff(ours, theirs) < REL
    assert np.allclose(losses, torch_losses, rtol=1e-12, atol=0)


@pytest.mark.parametrize("name, hyper", [
    ("SGD", {"lr": 0.02, "momentum": 0.5, "dampening": 0.9}),
    ("SGD", {"lr": 0.02, "momentum": 0.99, "nesterov": True, "weight_decay": 0.5}),
    ("Adagrad", {"lr": 0.3, "eps": 0.05, "initial_accumulator_value": 2.0}),
    ("RMSprop", {"lr": 0.003, "alpha": 0.9, "eps": 0.05, "momentum": 0.5, "centered": True, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.02, "eps": 0.05}),                                 # a big eps: its place matters
    ("Adam", {"lr": 0.02, "betas": (0.0, 0.5), "amsgrad": True}),
    ("AdamW", {"lr": 0.02, "betas": (0.95, 0.9999), "eps": 0.05, "weight_decay": 0.5}),
], ids=lambda x: str(x))
def test_matches_torch_for_more_options_over_200_steps(name, hyper):
    assert rel_diff(opt.train(name, steps=200, **hyper)[1], opt.train_torch(name, steps=200, **hyper)[1]) < REL


def test_eps_placement_is_torchs_and_the_alternatives_are_not():
    # torch: w -= lr * m_hat / (sqrt(v_hat) + eps). With eps = 0.05 the other placements differ clearly.
    rng = np.random.default_rng(0)
    grads = 0.1 * rng.normal(size=(30, 4))
    theirs = torch_steps("Adam", np.zeros(4), grads, lr=0.01, eps=0.05)
    assert rel_diff(numpy_steps("Adam", np.zeros(4), grads, lr=0.01, eps=0.05), theirs) < REL
    m = v = np.zeros(4)
    inside, before = [np.zeros(4)], [np.zeros(4)]
    for t, g in enumerate(grads, 1):
        m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g ** 2
        m_hat, v_hat = m / (1 - 0.9 ** t), v / (1 - 0.999 ** t)
        inside.append(inside[-1] - 0.01 * m_hat / np.sqrt(v_hat + 0.05))            # eps inside the root
        before.append(before[-1] - 0.01 * m_hat / ((np.sqrt(v) + 0.05) / np.sqrt(1 - 0.999 ** t)))
    assert rel_diff(np.array(inside), theirs) > 1e-2 and rel_diff(np.array(before), theirs) > 1e-2


def test_defaults_equal_torchs():
    for name, cls in opt.OPTIMIZERS.items():
        ours = {k: p.default for k, p in inspect.signature(cls).parameters.items() if k != "params"}
        theirs = inspect.signature(getattr(torch.optim, name)).parameters
        assert ours, name
        for key, default in ours.items():
            assert theirs[key].default == default, f"{name}.{key}: {default} vs {theirs[key].default}"
    assert opt.AdamW([np.zeros(1)]).lam == 0.01 and opt.Adam([np.zeros(1)]).lam == 0.0
    assert opt.RMSprop([np.zeros(1)]).alpha == 0.99 and opt.Adagrad([np.zeros(1)]).eps == 1e-10


def test_parameters_are_updated_in_place_like_torch():
    w1, w2 = np.ones((2, 3)), np.ones(4)
    o = opt.Adam([w1, w2], lr=0.1)
    o.step([np.ones((2, 3)), -np.ones(4)])
    assert o.params[0] is w1 and np.allclose(w1, 0.9) and np.allclose(w2, 1.1)
    assert o.t == 1


# ---------------------------------------------------------------- momentum, eqs. (2)-(8)

def test_pytorch_momentum_equals_polyak_and_sutskever_forms():
    H, w0 = opt.valley(20.0, 0.4), np.array([2.0, -1.0])
    eta, mu = 0.04, 0.8
    ours = opt.run_path("SGD", H, w0, 80, lr=eta, momentum=mu)
    polyak, sutskever, u = [w0, w0 - eta * H @ w0], [w0], np.zeros(2)
    for _ in range(79):                                           # eq. (3): w - eta g + mu (w - w_prev)
        w, w_prev = polyak[-1], polyak[-2]
        polyak.append(w - eta * H @ w + mu * (w - w_prev))
    for _ in range(80):                                           # eq. (4): u <- mu u - eta g, w <- w + u
        u = mu * u - eta * H @ sutskever[-1]
        sutskever.append(sutskever[-1] + u)
    assert rel_diff(np.array(polyak), ours) < 1e-12 and rel_diff(np.array(sutskever), ours) < 1e-12


def test_torch_and_sutskever_momentum_differ_when_the_learning_rate_changes():
    # v holds gradients in torch's form and steps in Sutskever's: halving lr acts at once only in torch's
    g = np.ones(1)
    w_t, v = np.zeros(1), np.zeros(1)
    w_s, u = np.zeros(1), np.zeros(1)
    for t in range(20):
        lr = 0.1 if t < 10 else 0.05
        v = 0.9 * v + g
        w_t = w_t - lr * v
        u = 0.9 * u - lr * g
        w_s = w_s + u
    assert abs(w_t[0] - w_s[0]) > 0.1


def test_momentum_terminal_velocity_is_lr_over_one_minus_mu():
    w = np.zeros(1)
    o = opt.SGD([w], lr=0.01, momentum=0.9)
    for _ in range(300):
        before = w[0]
        o.step([np.ones(1)])
    assert abs((before - w[0]) - 0.01 / (1 - 0.9)) < 1e-12
    # with dampening = mu the velocity is an average of gradients: the step tends to lr itself
    w = np.zeros(1)
    o = opt.SGD([w], lr=0.01, momentum=0.9, dampening=0.9)
    for _ in range(300):
        before = w[0]
        o.step([np.ones(1)])
    assert abs((before - w[0]) - 0.01) < 1e-12


def test_heavy_ball_rate_is_sqrt_mu_on_the_whole_spectrum():
    for kappa in (4.0, 50.0, 1000.0):
        eta, mu = opt.heavy_ball_params(1.0, kappa)
        assert np.isclose(np.sqrt(mu), (np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1), rtol=1e-14)
        lams = np.linspace(1.0, kappa, 101)
        rates = [opt.heavy_ball_rate(eta, mu, lam) for lam in lams]
        assert np.allclose(rates, np.sqrt(mu), rtol=1e-6)                # complex roots: |r| = sqrt(mu)
        assert opt.heavy_ball_rate(eta, mu, 0.5) > np.sqrt(mu) + 1e-3    # outside [lam_min, lam_max]: worse
        assert opt.heavy_ball_rate(eta, mu, 1.1 * kappa) > np.sqrt(mu) + 1e-3
        assert np.sqrt(mu) < (kappa - 1) / (kappa + 1)                    # beats gradient descent


def test_heavy_ball_measured_rate_and_rotation_invariance():
    eta, mu = opt.heavy_ball_params(1.0, 50.0)
    e = np.linalg.norm(opt.run_path("SGD", opt.valley(50.0), [-4.0, 1.0], 400, lr=eta, momentum=mu), axis=1)
    assert abs((e[400] / e[200]) ** (1 / 200) - np.sqrt(mu)) < 3e-3
    runs = opt.valley_runs()
    for label in ("gradient descent", "momentum", "Nesterov"):               # rotation changes nothing
        (hp0, p0), (hp1, p1) = runs[label, 0.0], runs[label, np.pi / 4]
        assert hp0 == hp1 and np.allclose(p1 @ opt.rotation(np.pi / 4), p0, atol=1e-9)
    J = {k: 0.5 * p[-1] @ opt.valley(50.0, k[1]) @ p[-1] for k, (_, p) in runs.items()}
    assert J["momentum", 0.0] < 1e-3 * J["gradient descent", 0.0]
    for label in ("AdaGrad", "RMSProp", "Adam"):                             # per-coordinate scaling helps
        assert J[label, 0.0] < 0.3 * J[label, np.pi / 4]                    # only on the aligned valley


def test_nesterov_lookahead_form_equals_torch_nesterov():                   # Exercise 1
    H, w0 = opt.valley(25.0, 0.3), np.array([-4.0, 1.2])
    ahead = opt.nesterov_lookahead(lambda w: H @ w, w0, lr=0.05, mu=0.8, steps=150)
    w = torch.tensor(w0, requires_grad=True)
    o = torch.optim.SGD([w], lr=0.05, momentum=0.8, nesterov=True)
    path = [w0]
    for _ in range(150):
        o.zero_grad()
        (0.5 * w @ torch.from_numpy(H) @ w).backward()
        o.step()
        path.append(w.detach().numpy().copy())
    assert rel_diff(ahead, np.array(path)) < REL
    # and it is not plain momentum
    assert rel_diff(opt.run_path("SGD", H, w0, 150, lr=0.05, momentum=0.8), np.array(path)) > 1e-3


# ---------------------------------------------------------------- Adam: bias correction and scale

def test_first_adam_step_moves_every_coordinate_by_lr():
    g = np.array([1e-4, -3e-2, 0.7, -50.0, 2e6])
    w = np.zeros(5)
    opt.Adam([w], lr=0.01).step([g])
    assert np.allclose(np.abs(w), 0.01, rtol=1e-3) and np.all(np.sign(w) == -np.sign(g))
    assert np.allclose(w, torch_steps("Adam", np.zeros(5), [g], lr=0.01)[-1], rtol=1e-14, atol=0)
    # exactly lr * |g| / (|g| + eps) per coordinate, eq. (14) with m_hat = g, v_hat = g^2
    assert np.allclose(np.abs(w), 0.01 * np.abs(g) / (np.abs(g) + 1e-8), rtol=1e-14)


def test_bias_correction_constant_gradient_is_exact():
    w = np.zeros(3)
    o = opt.Adam([w], lr=0.001)
    c = np.array([2.0, -0.5, 1e-3])
    for t in range(1, 31):
        o.step([c])
        s = o.state[0]
        assert np.allclose(s["m"], (1 - 0.9 ** t) * c, rtol=1e-13)          # eq. (13)
        assert np.allclose(s["v"], (1 - 0.999 ** t) * c ** 2, rtol=1e-12)


def test_bias_correction_in_expectation_with_random_gradients():
    # 40000 coordinates, each fed i.i.d. gradients with mean 0.5 and variance 1: E[m_t] = (1 - beta1^t) 0.5
    rng = np.random.default_rng(1)
    n, t_max = 40_000, 20
    w = np.zeros(n)
    o = opt.Adam([w], lr=1e-3)
    for t in range(1, t_max + 1):
        o.step([0.5 + rng.normal(size=n)])
        m, v = o.state[0]["m"], o.state[0]["v"]
        se_m = m.std() / np.sqrt(n)
        assert abs(m.mean() - (1 - 0.9 ** t) * 0.5) < 5 * se_m                     # E[m_t], eq. (13)
        assert abs(v.mean() - (1 - 0.999 ** t) * 1.25) < 5 * v.std() / np.sqrt(n)  # E[g^2] = 1 + 0.25
    assert abs(m.mean() / (1 - 0.9 ** t_max) - 0.5) < 0.02                  # corrected: unbiased
    assert abs(m.mean() - 0.5) > 0.05                                       # uncorrected: biased low


def test_adam_without_bias_correction_exercise():                           # Exercise 2
    t = np.arange(1, 3001)
    without = opt.adam_step_sizes(3000, correct=False) / 1e-3
    assert np.allclose(without, (1 - 0.9 ** t) / np.sqrt(1 - 0.999 ** t), rtol=1e-12)
    assert np.allclose(opt.adam_step_sizes(3000), 1e-3, rtol=1e-12)
    assert abs(without[0] - np.sqrt(10)) < 1e-12 and without.max() > 6       # too LARGE early, not small
    # the corrected sizes are what the real Adam does with a constant gradient
    w = np.zeros(1)
    o, sizes = opt.Adam([w], lr=1e-3, eps=1e-300), []
    for _ in range(50):
        before = w[0]
        o.step([np.ones(1)])
        sizes.append(before - w[0])
    assert np.allclose(sizes, opt.adam_step_sizes(50), rtol=1e-12)


def test_adam_step_bound():
    # |step| <= lr * sqrt((1 - b1)(1 - b2^t) / ((1 - b2)(1 - b1^t))) for any gradients, eq. (16)
    rng = np.random.default_rng(2)
    b1, b2, lr = 0.9, 0.999, 1e-3
    G = rng.standard_t(df=2, size=(300, 50)) * np.exp(rng.normal(size=(300, 1)))   # heavy-tailed, varying
    G[200] *= 1e4                                                                   # a spike after calm
    w = np.zeros(50)
    o = opt.Adam([w], lr=lr, eps=1e-300)
    worst = 0.0
    for t, g in enumerate(G, 1):
        before = w.copy()
        o.step([g])
        bound = lr * np.sqrt((1 - b1) * (1 - b2 ** t) / ((1 - b2) * (1 - b1 ** t)))
        assert np.all(np.abs(w - before) <= bound * (1 + 1e-12))
        worst = max(worst, np.abs(w - before).max() / bound)
    assert worst > 0.5                                                   # the spike comes close to it


def test_scale_invariance_exercise():                                       # Exercise 4
    for name, hyper in [("Adam", {"lr": 0.01}), ("AdamW", {"lr": 0.01}), ("RMSprop", {"lr": 0.01}),
                        ("Adagrad", {"lr": 0.1})]:
        a = opt.scaled_run(name, 1024.0, eps=1e-8, **hyper)
        b = opt.scaled_run(name, 1.0, eps=1e-8 / 1024, **hyper)
        assert np.array_equal(a, b), name                                  # bit for bit: 1024 = 2^10
        c = opt.scaled_run(name, 1.0, eps=1e-8, **hyper)
        assert np.abs(a - c).max() < 1e-4                                  # eps hardly matters here
    a, b = opt.scaled_run("SGD", 1024.0, lr=1e-4), opt.scaled_run("SGD", 1.0, lr=1e-4)
    assert np.abs(a - b).max() > 0.1


def test_momentum_steps_exercise():                                         # Exercise 3
    kappa = 100.0
    H, w0 = opt.valley(kappa), np.array([1.0, 1.0])
    eta, mu = opt.heavy_ball_params(1.0, kappa)
    gd = opt.steps_to_shrink("SGD", H, w0, 1e-6, lr=2 / (1 + kappa))
    hb = opt.steps_to_shrink("SGD", H, w0, 1e-6, lr=eta, momentum=mu)
    predicted_gd = np.log(1e6) / np.log((kappa + 1) / (kappa - 1))
    assert abs(gd - predicted_gd) <= 1.5
    assert np.log(1e6) / np.log(1 / np.sqrt(mu)) <= hb < 2 * np.log(1e6) / np.log(1 / np.sqrt(mu))
    assert gd > 5 * hb
    assert opt.steps_to_shrink("SGD", H, w0, 1e-6, max_steps=10, lr=1e-3) is None


# ---------------------------------------------------------------- weight decay: L2 vs decoupled

def test_sgd_weight_decay_is_the_same_as_decoupled_decay():
    rng = np.random.default_rng(3)
    grads = rng.normal(size=(40, 3))
    ours = numpy_steps("SGD", [1.0, -2.0, 0.5], grads, lr=0.1, weight_decay=0.2)
    w, by_hand = np.array([1.0, -2.0, 0.5]), [np.array([1.0, -2.0, 0.5])]
    for g in grads:
        w = (1 - 0.1 * 0.2) * w - 0.1 * g                                   # shrink, then the loss step
        by_hand.append(w)
    assert rel_diff(ours, np.array(by_hand)) < 1e-14


def test_adam_l2_and_adamw_differ_and_adamw_decays_geometrically():
    rng = np.random.default_rng(4)
    grads = rng.normal(size=(40, 3)) * np.array([100.0, 1.0, 0.01])
    l2 = numpy_steps("Adam", np.ones(3), grads, lr=0.01, weight_decay=0.1)
    dec = numpy_steps("AdamW", np.ones(3), grads, lr=0.01, weight_decay=0.1)
    assert np.abs(l2 - dec).max() > 1e-3
    for lam in (1e-4, 0.1):                                                 # zero loss gradient
        w = numpy_steps("AdamW", np.ones(1), np.zeros((50, 1)), lr=0.01, weight_decay=lam)[-1, 0]
        assert np.isclose(w, (1 - 0.01 * lam) ** 50, rtol=1e-13)
    shrunk = [numpy_steps("Adam", np.ones(1), np.zeros((50, 1)), lr=0.01, weight_decay=lam)[-1, 0]
              for lam in (1e-4, 0.1)]
    assert abs(shrunk[0] - shrunk[1]) < 1e-3 and abs(shrunk[0] - (1 - 50 * 0.01)) < 0.05  # ~lr per step


def test_adamw_param_groups_leave_biases_and_gains_alone():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.LayerNorm(4), torch.nn.Linear(4, 2)).double()
    groups = opt.adamw_param_groups(model, weight_decay=0.5)
    assert [len(g["params"]) for g in groups] == [2, 4]
    before = [p.detach().clone() for p in model.parameters()]
    o = torch.optim.AdamW(groups, lr=0.1)
    for p in model.parameters():
        p.grad = torch.zeros_like(p)
    o.step()
    for p, b in zip(model.parameters(), before):
        assert torch.allclose(p, b * (1 - 0.1 * 0.5) if p.ndim >= 2 else b, rtol=1e-14, atol=0)


# ---------------------------------------------------------------- RMSprop, Adagrad, resuming

def test_rmsprop_first_step_is_lr_over_sqrt_one_minus_alpha():
    g = np.array([1e-3, -0.2, 5.0, -1e2])
    for alpha in (0.9, 0.99):
        w = numpy_steps("RMSprop", np.zeros(4), [g], lr=0.01, alpha=alpha)[-1]
        assert np.allclose(np.abs(w), 0.01 / np.sqrt(1 - alpha), rtol=1e-4)


def test_adagrad_steps_shrink_like_one_over_sqrt_t():
    path = numpy_steps("Adagrad", np.zeros(1), np.ones((400, 1)), lr=0.1)[:, 0]
    steps = -np.diff(path)
    t = np.arange(1, 401)
    assert np.allclose(steps, 0.1 / (np.sqrt(t) + 1e-10), rtol=1e-12)


def test_resuming_adam_needs_its_state():
    X, Y, params = opt.mlp_problem()
    o = opt.Adam(params, lr=0.01)
    for _ in range(100):
        o.step(opt.mlp_loss_grads(params, X, Y)[1])
    grads, saved = opt.mlp_loss_grads(params, X, Y)[1], [w.copy() for w in params]
    fresh = [w.copy() for w in params]
    opt.Adam(fresh, lr=0.01).step(grads)
    o.step(grads)
    moved_fresh = np.concatenate([np.abs(a - b).ravel() for a, b in zip(fresh, saved)])
    moved = np.concatenate([np.abs(a - b).ravel() for a, b in zip(params, saved)])
    assert np.allclose(moved_fresh, 0.01, rtol=1e-3)                     # a fresh Adam: lr everywhere
    assert np.median(moved) < 0.5 * 0.01
    # torch: state_dict / load_state_dict resumes exactly
    w = torch.tensor([1.0, -2.0], dtype=torch.float64, requires_grad=True)
    o1 = torch.optim.Adam([w], lr=0.1)
    for _ in range(5):
        o1.zero_grad()
        (w ** 2).sum().backward()
        o1.step()
    w2 = w.detach().clone().requires_grad_(True)
    o2 = torch.optim.Adam([w2], lr=0.1)
    o2.load_state_dict(copy.deepcopy(o1.state_dict()))     # a copy, as torch.save / torch.load make
    for o_, w_ in ((o1, w), (o2, w2)):
        o_.zero_grad()
        (w_ ** 2).sum().backward()
        o_.step()
    assert torch.equal(w, w2)


# ---------------------------------------------------------------- the MLP's gradients

def test_mlp_gradients_equal_autograd_and_finite_differences():
    X, Y, params = opt.mlp_problem(seed=5)
    loss, grads = opt.mlp_loss_grads(params, X, Y)
    tensors = [torch.tensor(w, requires_grad=True) for w in params]
    W1, b1, W2, b2 = tensors
    J = ((torch.tanh(torch.from_numpy(X) @ W1.T + b1) @ W2.T + b2 - torch.from_numpy(Y)) ** 2).mean()
    J.backward()
    assert abs(loss - J.item()) < 1e-14
    h = 1e-6
    for g, t, w in zip(grads, tensors, params):
        assert g.shape == w.shape
        assert np.allclose(g, t.grad.numpy(), rtol=1e-12, atol=1e-15)
        for i in np.ndindex(w.shape):
            old = w[i]
            w[i] = old + h
            up = opt.mlp_loss_grads(params, X, Y)[0]
            w[i] = old - h
            down = opt.mlp_loss_grads(params, X, Y)[0]
            w[i] = old
            assert abs((up - down) / (2 * h) - g[i]) < 1e-8


# ---------------------------------------------------------------- bad input and extreme values

@pytest.mark.parametrize("make, match", [
    (lambda w: opt.SGD(w, lr=-0.1), r"lr must be in \[0.0, inf\), got -0.1"),
    (lambda w: opt.Adam(w, lr=float("nan")), r"lr must be in \[0.0, inf\)"),
    (lambda w: opt.Adam(w, betas=(1.0, 0.999)), r"betas\[0\] must be in \[0.0, 1.0\), got 1.0"),
    (lambda w: opt.Adam(w, betas=(0.9, -0.1)), r"betas\[1\] must be in \[0.0, 1.0\)"),
    (lambda w: opt.AdamW(w, betas=(0.9,)), r"betas must be a pair \(beta1, beta2\)"),
    (lambda w: opt.Adam(w, eps=0.0), r"eps must be in \(0.0, inf\), got 0.0"),
    (lambda w: opt.RMSprop(w, eps=-1e-8), r"eps must be in \(0.0, inf\)"),
    (lambda w: opt.Adagrad(w, eps=0), r"eps must be in \(0.0, inf\)"),
    (lambda w: opt.SGD(w, momentum=1.0), r"momentum must be in \[0.0, 1.0\), got 1.0"),
    (lambda w: opt.SGD(w, momentum=-0.5), r"momentum must be in \[0.0, 1.0\)"),
    (lambda w: opt.SGD(w, nesterov=True), r"nesterov=True needs momentum in \(0, 1\) and dampening = 0"),
    (lambda w: opt.SGD(w, momentum=0.9, dampening=0.1, nesterov=True), r"dampening = 0"),
    (lambda w: opt.RMSprop(w, alpha=1.0), r"alpha must be in \[0.0, 1.0\)"),
    (lambda w: opt.AdamW(w, weight_decay=-0.01), r"weight_decay must be in \[0.0, inf\)"),
    (lambda w: opt.Adagrad(w, lr_decay=-1), r"lr_decay must be in \[0.0, inf\)"),
])
def test_bad_hyperparameters_raise_value_error(make, match):
    with pytest.raises(ValueError, match=match):
        make([np.zeros(2)])


def test_bad_types_raise_type_error():
    with pytest.raises(TypeError, match="lr must be a real number, got str"):
        opt.Adam([np.zeros(2)], lr="0.001")
    with pytest.raises(TypeError, match="must be a real number, got bool"):
        opt.SGD([np.zeros(2)], momentum=True)
    for bad in (np.zeros(2, dtype=np.float32), np.zeros(2, dtype=int), [0.0, 0.0]):
        with pytest.raises(TypeError, match=r"params\[0\] must be a float64 NumPy array"):
            opt.Adam([bad])


def test_bad_gradients_raise_value_error():
    o = opt.Adam([np.zeros((2, 3)), np.zeros(3)])
    with pytest.raises(ValueError, match=r"grads must have the parameters' shapes \[\(2, 3\), \(3,\)\], got \[\(3, 2\), \(3,\)\]"):
        o.step([np.zeros((3, 2)), np.zeros(3)])
    with pytest.raises(ValueError, match="grads must have the parameters' shapes"):
        o.step([np.zeros((2, 3))])
    with pytest.raises(ValueError, match="grads must be finite"):
        o.step([np.full((2, 3), np.nan), np.zeros(3)])
    assert o.t == 0 and not o.state[0]                                      # nothing happened


def test_extreme_gradients_give_finite_correct_steps():
    for scale in (1e-100, 1e100, 1e150):
        g = scale * np.array([1.0, -3.0, 0.5])
        for name, hyper in [("Adam", {"lr": 0.01}), ("AdamW", {"lr": 0.01}), ("RMSprop", {"lr": 0.01}),
                            ("Adagrad", {"lr": 0.01})]:
            ours = numpy_steps(name, np.ones(3), [g, -g, g], **hyper)
            assert np.all(np.isfinite(ours))
            assert rel_diff(ours, torch_steps(name, np.ones(3), [g, -g, g], **hyper)) < REL
    w = numpy_steps("Adam", np.zeros(3), [1e150 * np.array([1.0, -3.0, 0.5])], lr=0.01)[-1]
    assert np.allclose(np.abs(w), 0.01, rtol=1e-12)                         # lr per coordinate, any scale
    # a zero gradient with torch's eps = 0 gives nan; ours refuses eps = 0 (tested above) and stays finite
    assert np.array_equal(numpy_steps("Adam", np.ones(2), [np.zeros(2)] * 3, lr=0.01), np.ones((4, 2)))


# ---------------------------------------------------------------- the figure and the printouts

def test_figure_and_printouts(capsys):
    import matplotlib.figure
    fig = opt.plot_paths()
    assert isinstance(fig, matplotlib.figure.Figure) and len(fig.axes) == 2
    for n in "1234":
        opt.exercises(n)
    out = capsys.readouterr().out
    assert "max |difference| 0.0e+00" in out and "SGD(nesterov=True)" in out
