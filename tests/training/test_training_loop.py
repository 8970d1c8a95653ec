"""Tests for code/training/training_loop.py (page: docs/training/training-loop.md).

Clipping by norm and by value equal torch.nn.utils in float64 (returned norm included) and stay finite where
torch's overflows; bfloat16 rounding equals torch's bit for bit; autocast runs the layers in bfloat16 and the
loss in float32, close to the float32 loss; two seeded runs are bit-identical; a run checkpointed after k
steps and resumed in fresh objects ends bit-identical to the uninterrupted run (parameters, buffers, AdamW
state), while losing the optimizer state does not; train/eval modes, devices and each pitfall behave as the
page says; the exercise solutions hold.
"""
import math
import random

import numpy as np
import pytest
import torch
from torch import nn

import training_loop as tl


@pytest.fixture(scope="module", autouse=True)
def one_thread_deterministic():
    """One thread (tiny matrices) and deterministic algorithms; both restored for the other tests."""
    with tl.quiet_and_exact():
        yield


def grads_of(model):
    return [p.grad for p in model.parameters()]


def twin_layers(seed, dtype=torch.float64, scale=1.0):
    """Two identical small networks holding identical gradients (scaled by `scale`)."""
    torch.manual_seed(seed)
    a = nn.Sequential(nn.Linear(5, 4), nn.ReLU(), nn.Linear(4, 3)).to(dtype)
    b = nn.Sequential(nn.Linear(5, 4), nn.ReLU(), nn.Linear(4, 3)).to(dtype)
    b.load_state_dict(a.state_dict())
    X = torch.randn(6, 5, dtype=dtype)
    for m in (a, b):
        (scale * m(X) ** 2).sum().backward()
    return a, b


def state(run):
    return list(run.model.state_dict().values())


def all_equal(xs, ys):
    return len(xs) == len(ys) and all(torch.equal(x, y) for x, y in zip(xs, ys))


# ---------------------------------------------------------------- gradient clipping

@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf])
@pytest.mark.parametrize("max_norm", [0.1, 1e6])            # clipped, and left alone (coefficient 1)
def test_clip_grad_norm_equals_torch(norm_type, max_norm):
    for seed in range(3):
        a, b = twin_layers(seed)
        ours = tl.clip_grad_norm(a.parameters(), max_norm, norm_type)
        theirs = nn.utils.clip_grad_norm_(b.parameters(), max_norm, norm_type)
        assert ours.item() > 0.5                             # a real gradient, not a vacuous match
        assert abs(ours.item() - theirs.item()) <= 1e-14 * theirs.item()
        for g, h in zip(grads_of(a), grads_of(b)):
            assert torch.allclose(g, h, rtol=1e-14, atol=0)


def test_clip_grad_norm_is_the_global_norm_and_keeps_the_direction():
    a, b = twin_layers(0)
    g = torch.cat([p.grad.flatten() for p in b.parameters()])          # all gradients as one vector
    total = tl.clip_grad_norm(a.parameters(), 0.1)
    clipped = torch.cat([p.grad.flatten() for p in a.parameters()])
    assert total.item() == pytest.approx(g.norm().item(), rel=1e-14)   # eq. (9): one norm over all
    assert clipped.norm().item() == pytest.approx(0.1 * total.item() / (total.item() + 1e-6), rel=1e-14)
    assert torch.allclose(clipped / clipped.norm(), g / g.norm(), rtol=0, atol=1e-15)   # same direction
    # per-tensor clipping would be different: each tensor alone is below the global norm
    assert all(p.grad.norm() < total for p in b.parameters())


def test_clip_grad_norm_below_the_threshold_changes_nothing():
    a, b = twin_layers(1)
    tl.clip_grad_norm(a.parameters(), 1e6)
    assert all_equal(grads_of(a), grads_of(b))


def test_clip_grad_norm_skips_parameters_without_gradient_and_handles_none():
    a, b = twin_layers(2)
    a[0].weight.grad, b[0].weight.grad = None, None
    assert abs(tl.clip_grad_norm(a.parameters(), 0.1) - nn.utils.clip_grad_norm_(b.parameters(), 0.1)) < 1e-14
    assert a[0].weight.grad is None
    assert tl.clip_grad_norm([nn.Parameter(torch.zeros(3))], 1.0).item() == 0.0   # no gradients at all


@pytest.mark.parametrize("dtype, big", [(torch.float64, 1e200), (torch.float32, 1e30)])
def test_clip_grad_norm_does_not_overflow(dtype, big):
    p = nn.Parameter(torch.zeros(4, dtype=dtype))
    p.grad = torch.tensor([big, -big, big / 2, 0.0], dtype=dtype)   # squares overflow to inf
    total = tl.clip_grad_norm([p], 1.0)
    assert torch.isfinite(total) and total.item() == pytest.approx(big * 1.5, rel=1e-6)
    assert torch.isfinite(p.grad).all()
    assert p.grad.norm().item() == pytest.approx(1.0, rel=1e-6)
    assert p.grad.tolist() == pytest.approx([2 / 3, -2 / 3, 1 / 3, 0.0], rel=1e-6)
    q = nn.Parameter(torch.zeros(4, dtype=dtype))
    q.grad = torch.tensor([big, -big, big / 2, 0.0], dtype=dtype)
    assert torch.isinf(nn.utils.clip_grad_norm_([q], 1.0))          # torch's norm overflows here
    assert (q.grad == 0).all()                                      # and silently zeroes the gradient


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_clip_grad_norm_refuses_non_finite_gradients(bad):
    p = nn.Parameter(torch.zeros(3))
    p.grad = torch.tensor([1.0, bad, 2.0])
    with pytest.raises(ValueError, match="cannot clip: the gradient norm is (nan|inf)"):
        tl.clip_grad_norm([p], 1.0)


@pytest.mark.parametrize("max_norm", [0, -1.0, "1", None, True])
def test_clip_grad_norm_bad_max_norm(max_norm):
    with pytest.raises(ValueError, match="max_norm must be a positive number"):
        tl.clip_grad_norm(twin_layers(0)[0].parameters(), max_norm)


@pytest.mark.parametrize("norm_type", [0.5, 0, -2, "fro"])
def test_clip_grad_norm_bad_norm_type(norm_type):
    with pytest.raises(ValueError, match="norm_type must be a number >= 1 or math.inf"):
        tl.clip_grad_norm(twin_layers(0)[0].parameters(), 1.0, norm_type)


def test_clip_grad_value_equals_torch_and_changes_the_direction():
    a, b = twin_layers(3)
    tl.clip_grad_value(a.parameters(), 0.3)
    nn.utils.clip_grad_value_(b.parameters(), 0.3)
    assert all_equal(grads_of(a), grads_of(b))
    g = torch.cat([p.grad.flatten() for p in a.parameters()])
    assert g.abs().max() == 0.3 and (g.abs() < 0.3).any()           # some entries clamped, some not
    p = nn.Parameter(torch.zeros(2, dtype=torch.float64))
    p.grad = torch.tensor([3.0, 4.0], dtype=torch.float64)          # Exercise 1
    tl.clip_grad_value([p], 1.0)
    assert p.grad.tolist() == [1.0, 1.0]
    p.grad = torch.tensor([3.0, 4.0], dtype=torch.float64)
    tl.clip_grad_norm([p], 1.0)
    assert p.grad.tolist() == pytest.approx([0.6, 0.8], rel=1e-5)


@pytest.mark.parametrize("clip_value", [0, -0.5, None])
def test_clip_grad_value_bad_value(clip_value):
    with pytest.raises(ValueError, match="clip_value must be a positive number"):
        tl.clip_grad_value(twin_layers(0)[0].parameters(), clip_value)


# ---------------------------------------------------------------- bfloat16 and autocast

def test_to_bfloat16_equals_torch_bit_for_bit():
    rng = np.random.default_rng(0)
    wide = rng.normal(size=20_000) * 10.0 ** rng.integers(-40, 39, size=20_000)    # subnormals to huge
    bits = rng.integers(0, 2 ** 32, size=20_000, dtype=np.uint64).astype(np.uint32)
    ties = (bits & np.uint32(0xFFFF0000)) | np.uint32(0x8000)                        # exactly halfway
    special = np.array([0.0, -0.0, 1.0, 1 + 2 ** -8, 1 + 3 * 2 ** -8, np.finfo(np.float32).max,
                        -np.finfo(np.float32).max, np.inf, -np.inf, 1e-45])
    for x in (wide.astype(np.float32), ties.view(np.float32), special.astype(np.float32)):
        x = x[~np.isnan(x)]
        ours = tl.to_bfloat16(x)
        theirs = torch.from_numpy(x).bfloat16().float().numpy()
        assert np.array_equal(ours.view(np.uint32), theirs.view(np.uint32))   # the same bits
    assert tl.to_bfloat16(np.float32(1 + 2 ** -8)) == 1.0                      # a tie: to the even one
    assert tl.to_bfloat16(np.float32(1 + 3 * 2 ** -8)) == 1 + 2 ** -6         # a tie: up to the even one
    assert tl.to_bfloat16(np.float32(np.finfo(np.float32).max)) == np.inf     # beyond bf16's largest


def test_to_bfloat16_keeps_nan_and_relative_error_bound():
    nan_low_bits = np.array([0x7F800001, 0xFFFFFFFF], dtype=np.uint32).view(np.float32)   # NaNs
    assert np.isnan(tl.to_bfloat16(nan_low_bits)).all()
    x = np.random.default_rng(1).uniform(-1e3, 1e3, size=10_000).astype(np.float32)
    assert np.max(np.abs(tl.to_bfloat16(x) - x) / np.abs(x)) <= 2.0 ** -8                # eq. (12)


def test_to_bfloat16_wants_float32():
    with pytest.raises(TypeError, match="x must be float32 .* got float64"):
        tl.to_bfloat16(np.array([1.0]))


def test_linear_bf16_is_what_autocast_computes():
    torch.manual_seed(0)
    X, W, b = torch.randn(64, 16), torch.randn(32, 16), torch.randn(32)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        Z = nn.functional.linear(X, W, b)
    assert Z.dtype == torch.bfloat16
    ours, Z = tl.linear_bf16(X.numpy(), W.numpy(), b.numpy()), Z.float().numpy()
    assert np.mean(ours == Z) > 0.99                    # summation order may differ in a rare last bit
    assert np.all(np.abs(ours - Z) <= 2.0 ** -7 * np.abs(Z))
    assert np.abs(ours - (X @ W.T + b).numpy()).max() > 1e-3   # and it is not the float32 result


def test_autocast_runs_layers_in_bf16_and_the_loss_in_float32():
    run = tl.setup()
    X, y = next(iter(run.loader))
    seen, loss_dtype, grad_dtypes = tl.autocast_dtypes(run.model, X, y)
    assert [s[0] for s in seen] == ["Linear", "BatchNorm1d", "ReLU", "Dropout", "Linear"]
    assert seen[0][1:] == (torch.float32, torch.bfloat16)        # float32 in, bfloat16 out
    assert all(s[2] == torch.bfloat16 for s in seen)
    assert loss_dtype == torch.float32 and grad_dtypes == {torch.float32}
    assert all(p.dtype == torch.float32 for p in run.model.parameters())


def test_bf16_autocast_loss_is_close_to_float32_and_trains_as_well():
    run = tl.setup()
    X, y = run.val_loader.dataset.tensors
    run.model.eval()
    with torch.no_grad():
        full = nn.functional.cross_entropy(run.model(X), y).item()
        with torch.autocast("cpu", dtype=torch.bfloat16):
            half = nn.functional.cross_entropy(run.model(X), y).item()
    assert half != full and abs(half - full) <= 1e-2 * full
    accs = [tl.fit(tl.setup(epochs=6), 6, amp_dtype=dtype)[0][-1, 2] for dtype in (None, torch.bfloat16)]
    assert accs[0] > 0.8 and abs(accs[0] - accs[1]) < 0.03


def test_float16_underflows_where_bfloat16_does_not():
    assert torch.tensor(1e-8, dtype=torch.float16).item() == 0.0
    assert torch.tensor(1e-8, dtype=torch.bfloat16).item() == pytest.approx(1e-8, rel=2 ** -8)
    assert torch.tensor(1e5, dtype=torch.float16).isinf() and torch.tensor(1e5, dtype=torch.bfloat16).isfinite()


def test_torch_step_with_gradscaler_matches_ours():
    a, b = tl.setup(), None
    X, y = next(iter(a.loader))
    tl.train_step(a, X, y, amp_dtype=torch.bfloat16)
    b = tl.setup()
    scaler = torch.amp.GradScaler("cpu", enabled=False)        # bfloat16 needs no loss scaling
    tl.train_step_torch(b, X, y, scaler)
    for p, q in zip(a.model.parameters(), b.model.parameters()):
        assert torch.allclose(p, q, rtol=0, atol=1e-6)
    assert not all_equal(state(a), state(tl.setup()))            # and the step did move the weights


# ---------------------------------------------------------------- seeds, modes, devices

def test_two_seeded_runs_are_bit_identical_and_another_seed_is_not():
    a = tl.setup()
    losses_a = tl.train_steps(a, 20)
    b = tl.setup()
    losses_b = tl.train_steps(b, 20)
    assert losses_a == losses_b and all_equal(state(a), state(b))
    assert all_equal(tl.optimizer_tensors(a.optimizer), tl.optimizer_tensors(b.optimizer))
    c = tl.setup(seed=1)
    tl.train_steps(c, 20)
    assert not any(torch.equal(x, y) for x, y in zip(a.model.parameters(), c.model.parameters()))


def test_set_seed_seeds_python_numpy_and_torch():
    tl.set_seed(5)
    first = (random.random(), np.random.rand(), torch.rand(1).item())
    tl.set_seed(5)
    assert first == (random.random(), np.random.rand(), torch.rand(1).item())


def test_deterministic_is_restored():
    before = torch.are_deterministic_algorithms_enabled()
    torch.use_deterministic_algorithms(False)
    with tl.deterministic():
        assert torch.are_deterministic_algorithms_enabled()
    assert not torch.are_deterministic_algorithms_enabled()
    torch.use_deterministic_algorithms(before)


def test_fit_learns_and_evaluation_does_not_disturb_training():
    history, losses = tl.fit(tl.setup(), tl.EPOCHS)
    assert history.shape == (tl.EPOCHS, 4)
    assert history[-1, 2] >= 0.82 and history[0, 2] < 0.6         # val accuracy: learned
    assert history[-1, 1] < 0.5 * history[0, 1]                    # val loss more than halved
    assert history[-1, 3] == 0.0 and history[:, 3].max() == pytest.approx(tl.LR)   # warm-up, cosine to 0
    assert losses == tl.train_steps(tl.setup(), len(losses))      # the same steps as without evaluation


def test_train_steps_switches_to_train_mode_and_evaluate_to_eval_mode():
    run = tl.setup()
    run.model.eval()
    mean_before = run.model[1].running_mean.clone()
    tl.train_steps(run, 1)
    assert run.model.training and not torch.equal(run.model[1].running_mean, mean_before)
    mean = run.model[1].running_mean.clone()
    tl.evaluate(run.model, run.val_loader, run.device)
    assert not run.model.training and torch.equal(run.model[1].running_mean, mean)   # stats untouched


def test_forgetting_eval_gives_noisy_accuracy_and_batch_norm_fails_on_one_example():
    run = tl.setup()
    tl.fit(run, 2)
    mean_before = run.model[1].running_mean.clone()
    (train_1, train_2, changed), (eval_1, eval_2, unchanged) = tl.eval_mode_pitfall(run)
    assert changed >= 5 and unchanged == 0 and eval_1 == eval_2    # dropout draws new masks each pass
    assert not torch.equal(run.model[1].running_mean, mean_before)   # and train mode moved the statistics
    assert eval_1 == pytest.approx(tl.evaluate(run.model, run.val_loader, run.device)[1])
    assert max(train_1, train_2) < eval_1
    run.model.train()
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        run.model(torch.zeros(1, tl.D))


def test_get_device_falls_back_to_cpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert tl.get_device() == torch.device("cpu")
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert tl.get_device() == torch.device("mps")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert tl.get_device() == torch.device("cuda")


def test_the_cpu_path_puts_everything_on_the_cpu():
    run = tl.setup(device="cpu")
    assert run.device == torch.device("cpu")
    tl.train_steps(run, 2)
    assert all(t.device.type == "cpu" for t in [*state(run), *tl.optimizer_tensors(run.optimizer)])


def test_train_steps_rejects_negative_counts():
    with pytest.raises(ValueError, match="n_steps must be >= 0, got -1"):
        tl.train_steps(tl.setup(), -1)


def test_warmup_cosine_schedule():
    assert tl.warmup_cosine(0, 4, 20) == 0.25 and tl.warmup_cosine(3, 4, 20) == 1.0
    assert tl.warmup_cosine(4, 4, 20) == 1.0 and tl.warmup_cosine(12, 4, 20) == pytest.approx(0.5)
    assert tl.warmup_cosine(20, 4, 20) == pytest.approx(0.0, abs=1e-15)
    values = [tl.warmup_cosine(t, 4, 20) for t in range(4, 21)]
    assert all(u >= v for u, v in zip(values, values[1:]))


# ---------------------------------------------------------------- checkpoints

@pytest.mark.parametrize("k", [5, 8, 13, 16])      # mid-epoch, at an epoch boundary (8 steps per epoch)
def test_resume_continues_bit_for_bit(tmp_path, k):
    n = 29
    whole = tl.setup()
    whole_losses = tl.train_steps(whole, n)
    resumed, losses = tl.interrupted_run(n, k, tmp_path / "ckpt.pt")
    assert losses == whole_losses                                          # every step's loss
    assert all_equal(state(resumed), state(whole))                         # parameters and buffers
    assert all_equal(tl.optimizer_tensors(resumed.optimizer), tl.optimizer_tensors(whole.optimizer))
    assert resumed.scheduler.get_last_lr() == whole.scheduler.get_last_lr()
    assert resumed.pos["epoch"] == whole.pos["epoch"] and resumed.pos["batch"] == whole.pos["batch"]


def test_resume_restores_every_generator(tmp_path):
    run = tl.setup()
    tl.train_steps(run, 5)
    tl.save_checkpoint(tmp_path / "ckpt.pt", run)
    expected = (random.random(), np.random.rand(), torch.rand(1).item())
    fresh = tl.setup(seed=9)
    tl.load_checkpoint(tmp_path / "ckpt.pt", fresh)
    assert (random.random(), np.random.rand(), torch.rand(1).item()) == expected


def test_checkpoint_is_safe_to_load_and_model_only_files_are_refused(tmp_path):
    run = tl.setup()
    tl.save_checkpoint(tmp_path / "ckpt.pt", run)
    ckpt = torch.load(tmp_path / "ckpt.pt", weights_only=True)            # no arbitrary pickles needed
    assert set(ckpt) == {"model", "optimizer", "scheduler", "position", "rng"}
    torch.save(run.model.state_dict(), tmp_path / "weights.pt")
    with pytest.raises(ValueError, match=r"lacks \['model', 'optimizer', 'position', 'rng', 'scheduler'\]"):
        tl.load_checkpoint(tmp_path / "weights.pt", tl.setup())
    torch.save({"model": run.model.state_dict()}, tmp_path / "model.pt")
    with pytest.raises(ValueError, match=r"lacks \['optimizer', 'position', 'rng', 'scheduler'\]: resuming"):
        tl.load_checkpoint(tmp_path / "model.pt", tl.setup())


def test_losing_the_optimizer_state_changes_the_run_with_a_large_first_step(tmp_path):
    n, k = 29, 13
    whole = tl.setup()
    tl.train_steps(whole, n)
    lost, _ = tl.interrupted_run(n, k, tmp_path / "ckpt.pt", keep_optimizer_state=False)
    assert not any(torch.equal(p, q) for p, q in zip(lost.model.parameters(), whole.model.parameters()))
    _, steps, (straight, exact, lost_sizes), k = tl._runs()
    after = steps > k
    assert np.array_equal(straight, exact)                                 # the figure's dashed line
    assert lost_sizes[after][0] > 2.5 * straight[after][0]                 # the jolt of eq. (8)
    assert np.array_equal(lost_sizes[~after], straight[~after])


def test_fit_saves_a_checkpoint_each_epoch(tmp_path):
    run = tl.setup()
    tl.fit(run, 2, checkpoint=tmp_path / "ckpt.pt")
    fresh = tl.setup(seed=3)
    tl.load_checkpoint(tmp_path / "ckpt.pt", fresh)
    assert fresh.pos["epoch"] == 1 and fresh.pos["batch"] == len(run.loader)   # 2 epochs done
    assert all_equal(state(fresh), state(run))


# ---------------------------------------------------------------- the other pitfalls

def test_data_order_is_coupled_to_the_model_without_its_own_generator():
    assert sorted(tl.batch_order(False, False)) == list(range(8))
    assert tl.batch_order(False, False) != tl.batch_order(True, False)    # one extra draw: new order
    assert tl.batch_order(False, True) == tl.batch_order(True, True)      # own generator: unchanged


def test_an_unseeded_validation_loader_changes_the_training():
    assert tl.evaluation_changes_training(own_generator=True) == 0.0
    assert tl.evaluation_changes_training(own_generator=False) > 1e-4


def test_clipping_after_the_step_is_too_late():
    before, after = tl.clip_order(True), tl.clip_order(False)
    assert before == pytest.approx(0.1 * 1.0, rel=1e-5)                  # lr * max_norm
    assert after > 1000 * before


# ---------------------------------------------------------------- exercises

def test_exercise_2_fresh_adam_moves_every_weight_by_about_lr():
    g = [1e-6, -1e-2, 1.0, -1e3]
    step = tl.first_adam_step(g)
    assert step == pytest.approx([-x / (abs(x) + 1e-8) for x in g], rel=1e-9)   # eq. (8)
    assert all(0.99 < abs(s) <= 1 for s in step)


@pytest.mark.parametrize("k", [1, 2, 4, 8])
def test_exercise_3_gradient_accumulation_equals_the_big_batch(k):
    assert tl.accumulation_gap(k) < 1e-15


def test_exercise_3_would_catch_a_missing_division():
    torch.manual_seed(0)
    model = nn.Linear(3, 2).double()
    X, y = torch.randn(8, 3, dtype=torch.float64), torch.randint(0, 2, (8,))
    nn.functional.cross_entropy(model(X), y).backward()
    big = model.weight.grad.clone()
    model.zero_grad()
    for X_k, y_k in zip(X.chunk(4), y.chunk(4)):
        nn.functional.cross_entropy(model(X_k), y_k).backward()           # forgot "/ k"
    assert torch.allclose(model.weight.grad, 4 * big) and not torch.allclose(model.weight.grad, big)


def test_exercise_4_running_sums():
    assert tl.running_sum(1000, torch.bfloat16) == 256       # 256 + 1 rounds back to 256
    assert tl.running_sum(1000, torch.float16) == 1000
    assert tl.running_sum(3000, torch.float16) == 2048
    assert tl.running_sum(1000, torch.float32) == 1000
