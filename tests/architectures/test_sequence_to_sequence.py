"""Tests for code/architectures/sequence_to_sequence.py (page: docs/architectures/sequence-to-sequence.md).

Additive attention from scratch equals the PyTorch module in float64 (context, weights, and every gradient
against torch.autograd); the hand-derived gradients and dc/de also equal central finite differences; padded
positions get exactly zero weight and zero gradient; extreme scores stay finite; bad input raises a clear
error. The data are shifted right; the seeded build run reaches the stated accuracy with attention and falls
short without it; the trained model's attention follows the reversal; each pitfall shows its symptom; the
exercise solutions hold.
"""
import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import sequence_to_sequence as s2s

TOL = 1e-12                      # float64 agreement with PyTorch
FD_TOL = 1e-8                    # central differences, h = 1e-6, on O(1) numbers


@pytest.fixture(autouse=True)
def restore_threads():
    """train() pins torch to one thread; give the rest of the test session its thread count back."""
    threads = torch.get_num_threads()
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def trained():
    """The build's attention model (functools.cache'd in the module: the figure uses the same one)."""
    threads = torch.get_num_threads()
    model = s2s.trained_model()
    torch.set_num_threads(threads)
    return model


def problem(seed, N=3, S=6, H=4, A=5, pads=(0, 2, 5)):
    """A float64 attention problem; sequence n has `pads[n]` padded positions at its end."""
    rng = np.random.default_rng(seed)
    mask = np.arange(S)[None, :] < (S - np.array(pads))[:, None]                  # (N, S)
    return (rng.normal(size=(N, H)), rng.normal(size=(N, S, H)), mask, rng.normal(size=(A, H)),
            rng.normal(size=(A, H)), rng.normal(size=A), rng.normal(size=(N, H)))


def torch_run(s_prev, h, mask, W_s, W_h, v, dc):
    """c, alpha and the autograd gradients (s_prev, h, W_s, W_h, v) of J = sum(dc * c)."""
    att = s2s.torch_twin(W_s, W_h, v)
    s_t, h_t = torch.tensor(s_prev, requires_grad=True), torch.tensor(h, requires_grad=True)
    c, alpha = att(s_t, h_t, torch.from_numpy(mask))
    (c * torch.from_numpy(dc)).sum().backward()
    grads = [s_t.grad, h_t.grad, att.W_s.weight.grad, att.W_h.weight.grad, att.v.weight.grad[0]]
    return c.detach().numpy(), alpha.detach().numpy(), [g.numpy() for g in grads]


def maxdiff(a, b):
    return np.max(np.abs(np.asarray(a) - np.asarray(b)))


# ---------------------------------------------------------------- additive attention vs PyTorch

@pytest.mark.parametrize("seed, shape", [(0, dict()), (1, dict(N=1, S=1, H=2, A=1, pads=(0,))),
                                         (2, dict(N=2, S=7, H=3, A=8, pads=(6, 0)))])
def test_forward_and_gradients_equal_torch(seed, shape):
    s_prev, h, mask, W_s, W_h, v, dc = problem(seed, **shape)
    c, alpha, cache = s2s.additive_attention(s_prev, h, mask, W_s, W_h, v)
    c_t, alpha_t, grads_t = torch_run(s_prev, h, mask, W_s, W_h, v, dc)
    assert maxdiff(c, c_t) < TOL and maxdiff(alpha, alpha_t) < TOL
    for ours, theirs in zip(s2s.additive_attention_backward(dc, cache), grads_t):
        assert ours.shape == theirs.shape and maxdiff(ours, theirs) < TOL
    assert max(np.abs(g).max() for g in grads_t) > 1e-3            # a real gradient, not a vacuous match


def test_backward_equals_finite_differences(finite_difference):
    s_prev, h, mask, W_s, W_h, v, dc = problem(3)
    _, _, cache = s2s.additive_attention(s_prev, h, mask, W_s, W_h, v)
    grads = s2s.additive_attention_backward(dc, cache)
    J = lambda: np.sum(dc * s2s.additive_attention(s_prev, h, mask, W_s, W_h, v)[0])   # noqa: E731
    for ours, wrt in zip(grads, [s_prev, h, W_s, W_h, v]):
        assert maxdiff(ours, finite_difference(lambda _: J(), wrt)) < FD_TOL


def test_context_jacobian_equals_autograd_and_finite_differences(finite_difference):
    s_prev, h, mask, *_ = problem(4)
    e = np.random.default_rng(5).normal(size=mask.shape)                          # (N, S) scores
    ours = s2s.context_jacobian(s2s.masked_softmax(e, mask), h)                     # (N, H, S)
    context = lambda e_: (torch.softmax(e_.masked_fill(~torch.from_numpy(mask), -torch.inf), -1)[..., None]  # noqa
                          * torch.from_numpy(h)).sum(1)
    jac = torch.autograd.functional.jacobian(context, torch.from_numpy(e)).numpy()  # (N, H, N, S)
    N, H = h.shape[0], h.shape[2]
    assert maxdiff(ours, np.stack([jac[n, :, n] for n in range(N)])) < TOL
    assert np.all(jac[0, :, 1] == 0)                                                # rows do not mix
    for n in range(N):
        for k in range(H):
            fd = finite_difference(lambda x: (s2s.masked_softmax(x, mask)[..., None] * h).sum(1)[n, k], e)
            assert maxdiff(ours[n, k], fd[n]) < FD_TOL
    assert maxdiff(ours.sum(-1), 0) < TOL                   # shifting all scores changes nothing


def test_torch_module_accepts_a_precomputed_W_h_h():
    s_prev, h, mask, W_s, W_h, v, _ = problem(6)
    att = s2s.torch_twin(W_s, W_h, v)
    h_t, s_t, m = torch.from_numpy(h), torch.from_numpy(s_prev), torch.from_numpy(mask)
    c1, a1 = att(s_t, h_t, m)
    c2, a2 = att(s_t, h_t, m, att.W_h(h_t))
    assert torch.equal(c1, c2) and torch.equal(a1, a2)


# ---------------------------------------------------------------- the mask, extreme scores, bad input

def test_masked_positions_get_exactly_zero_weight_and_gradient():
    s_prev, h, mask, W_s, W_h, v, dc = problem(7)
    h[~mask] = 1e6                                           # huge values at the pads must not leak
    c, alpha, cache = s2s.additive_attention(s_prev, h, mask, W_s, W_h, v)
    assert np.all(alpha[~mask] == 0.0) and np.all(alpha[mask] > 0)
    assert maxdiff(alpha.sum(axis=1), 1.0) < TOL
    assert np.abs(c).max() < 10                              # the context ignores the 1e6 at the pads
    dh = s2s.additive_attention_backward(dc, cache)[1]
    assert np.all(dh[~mask] == 0.0) and np.abs(dh[mask]).max() > 1e-3


def test_padding_does_not_change_the_result():
    s_prev, h, mask, W_s, W_h, v, _ = problem(8, N=1, S=4, pads=(0,))
    c, alpha, _ = s2s.additive_attention(s_prev, h, mask, W_s, W_h, v)
    h_pad = np.concatenate([h, np.random.default_rng(9).normal(size=(1, 3, h.shape[2]))], axis=1)
    mask_pad = np.concatenate([mask, np.zeros((1, 3), dtype=bool)], axis=1)
    c_pad, alpha_pad, _ = s2s.additive_attention(s_prev, h_pad, mask_pad, W_s, W_h, v)
    assert maxdiff(c, c_pad) < TOL and maxdiff(alpha, alpha_pad[:, :4]) < TOL


@pytest.mark.parametrize("scale", [1e4, -1e4, 1e300])
def test_extreme_scores_stay_finite_and_correct(scale):
    mask = np.array([[True, True, True, False], [True, False, False, False]])
    e = scale * np.array([[1.0, -1.0, 0.5, 2.0], [-1.0, 3.0, 0.0, 0.0]])
    alpha = s2s.masked_softmax(e, mask)
    theirs = torch.softmax(torch.from_numpy(e).masked_fill(~torch.from_numpy(mask), -torch.inf), -1).numpy()
    assert np.isfinite(alpha).all() and maxdiff(alpha, theirs) < TOL
    assert alpha[1, 0] == 1.0                                # one real position: all the weight
    assert alpha[0, 3] == 0.0                                # the largest score sits on a pad: ignored
    with np.errstate(over="ignore", invalid="ignore"):
        naive = np.exp(e) / np.exp(e).sum(axis=1, keepdims=True)
    if scale > 0:
        assert np.isnan(naive).any()                         # what the max subtraction prevents


def test_huge_v_keeps_attention_finite():
    s_prev, h, mask, W_s, W_h, v, dc = problem(10)
    c, alpha, cache = s2s.additive_attention(s_prev, h, mask, W_s, W_h, 1e4 * v)
    assert np.isfinite(c).all() and np.isfinite(alpha).all()
    assert all(np.isfinite(g).all() for g in s2s.additive_attention_backward(dc, cache))


def test_fully_masked_row_raises_instead_of_nan():
    s_prev, h, mask, W_s, W_h, v, _ = problem(11)
    mask[1] = False
    with pytest.raises(ValueError, match=r"row \[1\] has none"):
        s2s.additive_attention(s_prev, h, mask, W_s, W_h, v)
    with pytest.raises(ValueError, match="at least one True"):
        s2s.torch_twin(W_s, W_h, v)(torch.from_numpy(s_prev), torch.from_numpy(h), torch.from_numpy(mask))
    assert torch.isnan(torch.softmax(torch.full((3,), -torch.inf), 0)).all()   # what torch alone gives


@pytest.mark.parametrize("which, bad, error, match", [
    ("s_prev", np.zeros((3, 5)), ValueError, r"s_prev must have shape \(3, 4\)"),
    ("h", np.zeros((3, 6)), ValueError, r"h must hold the encoder states with shape \(N, S, H\)"),
    ("W_s", np.zeros((4, 4)), ValueError, r"W_s must have shape \(5, 4\)"),
    ("W_h", np.zeros((5, 3)), ValueError, r"W_h must have shape \(5, 4\)"),
    ("v", np.zeros((5, 1)), ValueError, r"v must have shape \(A,\)"),
    ("mask", np.ones((3, 6), dtype=np.int64), TypeError, r"mask must be boolean.*got dtype int64"),
    ("mask", np.ones((3, 5), dtype=bool), ValueError, r"mask must have shape \(N, S\) = \(3, 6\), got \(3, 5\)"),
])
def test_bad_input_names_what_was_expected(which, bad, error, match):
    args = dict(zip(["s_prev", "h", "mask", "W_s", "W_h", "v"], problem(12)[:6]))
    args[which] = bad
    with pytest.raises(error, match=match):
        s2s.additive_attention(**args)


# ---------------------------------------------------------------- data

def test_reversal_batch_is_padded_and_shifted_right():
    seqs = [(1, 2, 3), (9, 8, 7, 6, 5)]
    src, src_len, y_in, y_out = s2s.reversal_batch(seqs)
    assert src.tolist() == [[4, 5, 6, 0, 0], [12, 11, 10, 9, 8]] and src_len.tolist() == [3, 5]
    assert y_out.tolist() == [[6, 5, 4, s2s.EOS, 0, 0], [8, 9, 10, 11, 12, s2s.EOS]]
    assert torch.equal(y_in[:, 1:], y_out[:, :-1]) and (y_in[:, 0] == s2s.SOS).all()
    assert src.dtype == y_in.dtype == torch.int64


def test_training_never_sees_the_held_out_sequences():
    held_out = set(s2s.held_out_set())
    drawn = s2s.random_sequences(np.random.default_rng(0), 3000, frozenset(held_out))
    assert len(drawn) == 3000 and not held_out & set(drawn)
    assert {len(x) for x in drawn} == set(range(3, 9))
    assert len(held_out & set(s2s.random_sequences(np.random.default_rng(0), 3000))) > 0   # it would


# ---------------------------------------------------------------- the model and the run

def test_model_shapes_and_teacher_forcing_uses_the_given_inputs():
    torch.manual_seed(0)
    model = s2s.Seq2Seq()
    src, src_len, y_in, y_out = s2s.reversal_batch([(1, 2, 3), (4, 5, 6, 7)])
    logits, alpha = model(src, src_len, y_in)
    assert logits.shape == (2, 5, s2s.V) and alpha.shape == (2, 5, 4)
    assert torch.all(alpha[0, :, 3] == 0) and torch.allclose(alpha.sum(-1), torch.ones(2, 5))
    other = y_in.clone()
    other[:, 2] = 7                                           # a different input y_2 at step t = 3
    changed = model(src, src_len, other)[0]                   # steps 1, 2 unchanged; step 3 on changes
    assert torch.equal(changed[:, :2], logits[:, :2]) and not torch.equal(changed[:, 2], logits[:, 2])
    assert s2s.Seq2Seq(attention=False)(src, src_len, y_in)[1] is None


def parse_run(out):
    rows = re.findall(r"(with|without) attention: training loss ([\d.]+) -> ([\d.]+); ([\d.]+) s, ([\d.]+) ms per "
                      r"training sequence.*?\n  per-token accuracy ([\d.]+) \(teacher-forced ([\d.]+)\), exact match "
                      r"([\d.]+)\n  exact match by length 3..8: ([\d. ]+)", out)
    return {r[0]: dict(zip(["loss0", "loss", "s", "ms", "token", "forced", "exact"], map(float, r[1:8])),
                       by_length=[float(a) for a in r[8].split()]) for r in rows}


@pytest.mark.slow
def test_the_build_run_reaches_the_stated_accuracy(run_main):
    out = run_main(s2s.__file__)
    runs = parse_run(out)
    att, plain = runs["with"], runs["without"]
    assert att["token"] >= 0.95 and att["exact"] >= 0.85        # the page's stated thresholds
    assert plain["exact"] <= att["exact"] - 0.25                 # what attention buys, same budget
    assert att["loss"] < 0.2 < plain["loss"] and att["loss0"] > 2.0
    assert plain["by_length"][0] > plain["by_length"][-1] + 0.5  # the bottleneck: long sequences fail
    assert min(att["by_length"]) >= 0.75
    assert plain["forced"] > plain["token"]                      # exposure bias: greedy is worse
    off = re.search(r"mirrored position j\*: ([\d.]+) of steps, on j\* \+ 1: ([\d.]+)", out)
    assert float(off[1]) + float(off[2]) >= 0.95


@pytest.mark.slow
def test_trained_attention_follows_the_reversal(trained):
    off = s2s.alignment_offsets(trained, s2s.held_out_set())
    assert np.mean((off == 0) | (off == 1)) >= 0.95          # peak on the mirrored digit or its successor
    src, src_len, _, y_out = s2s.reversal_batch(s2s.held_out_set()[:50])
    with torch.no_grad():
        alpha = trained(src, src_len, T=y_out.shape[1])[1]
    mirror = [alpha[n, t, L - 1 - t] + alpha[n, t, min(L - t, L - 1)] for n, L in enumerate(src_len.tolist())
              for t in range(L)]
    assert np.mean(mirror) > 0.7                              # most of the weight sits on the anti-diagonal


@pytest.mark.slow
def test_exercise_exact_match_is_the_same_with_teacher_forcing(trained):
    test = s2s.reversal_batch(s2s.held_out_set())
    forced, greedy = s2s.evaluate(trained, test, teacher_forcing=True), s2s.evaluate(trained, test)
    assert forced[1] == greedy[1] and 0 < greedy[1] < 1       # Exercise 4: equal exact match ...
    assert forced[0] > greedy[0]                              # ... while per-token accuracy differs


@pytest.mark.slow
def test_the_heatmap_figure(trained):
    fig = s2s.plot_attention()
    images = [ax.images[0].get_array() for ax in fig.axes if ax.images]
    assert len(images) == 2 and images[0].shape == (9, 8) and images[1].shape == (6, 8)
    assert np.all(np.asarray(images[1])[:, 5:] == 0)         # the 3 pads of the second example: no weight
    assert [t.get_text() for t in fig.axes[1].get_xticklabels()][5:] == ["pad"] * 3


# ---------------------------------------------------------------- check, pitfalls, exercises

def test_check_prints_tiny_differences(run_main):
    out = run_main(s2s.__file__, "--check")
    diffs = [float(x) for x in re.findall(r"^[^\n]*?\s(\d\.\de[-+]\d+)$", out, re.M)]
    assert len(diffs) == 10 and max(diffs) < TOL
    assert "largest weight on a padded position: 0.0" in out


def test_numpy_demo(run_main):
    out = run_main(s2s.__file__, "--numpy")
    assert "sums over source positions: [1. 1.]" in out and "at the padded positions: [0. 0. 0. 0. 0. 0.]" in out


def test_pitfalls_show_their_symptoms(run_main):
    out = run_main(s2s.__file__, "--pitfalls")
    nums = lambda pattern: [float(x) for x in re.search(pattern, out).groups()]   # noqa: E731
    masked, masked_pads = nums(r"alone vs padded: max \|logit difference\| ([\d.e+-]+), attention on pads ([\d.]+)")
    leak, leak_pads = nums(r"without the mask: +max \|logit difference\| ([\d.e+-]+), attention on pads ([\d.]+)")
    assert masked < TOL and masked_pads == 0 and leak > 1e-3 and leak_pads > 0.1
    wrong = nums(r"dim=0 \(the batch\), sums over source: tensor\(\[([\d.]+), ([\d.]+), ([\d.]+)\]\)")
    assert maxdiff(wrong, 1.0) > 0.01
    assert "tensor([[nan, nan, nan]])" in out and "row [0] has none" in out
    moved, fixed = nums(r"example 1 moves by ([\d.]+) when example 0 changes; batch_first=True: ([\d.]+)")
    assert moved > 0.01 and fixed == 0
    loss0, loss, greedy = nums(r"training loss ([\d.]+) -> ([\d.]+); held-out per-token accuracy, greedy: ([\d.]+)")
    assert loss < 0.05 < 2.0 < loss0 and greedy < 0.4          # near-zero loss, garbage at inference


def test_padding_effect_in_float64_without_training():
    torch.manual_seed(1)
    model = s2s.Seq2Seq().double()
    with torch.no_grad():
        assert s2s.padding_effect(model, (5, 6, 7, 8)) == (pytest.approx(0, abs=TOL), 0.0)
        model.use_mask = False
        diff, on_pads = s2s.padding_effect(model, (5, 6, 7, 8))
    assert diff > 1e-3 and on_pads > 0.1


def test_quick_demo_runs(run_main):
    out = run_main(s2s.__file__, "--quick")
    assert set(parse_run(out)) == {"with", "without"}


def test_exercise_saturation(run_main):
    sizes = [s2s.largest_jacobian_entry(scale) for scale in (0.1, 1, 10, 100, 1e4)]
    assert sizes[0] > 0.05 and sizes[3] < 1e-10 and sizes[4] == 0.0
    assert sizes[2] < sizes[1]
    assert "max |dc/de| = 0.00e+00" in run_main(s2s.__file__, "--exercise")


def test_exercise_luong_equals_scaled_dot_product_attention():
    s, h, mask, W_s, W_h, *_ = problem(13, H=4)
    W = np.random.default_rng(14).normal(size=(4, 4))
    c, alpha = s2s.luong_attention(s, h, mask, W)
    q = torch.from_numpy(s @ W)[:, None]                                        # (N, 1, H): the query
    h_t, m = torch.from_numpy(h), torch.from_numpy(mask)[:, None]
    assert maxdiff(c, F.scaled_dot_product_attention(q, h_t, h_t, attn_mask=m, scale=1.0)[:, 0]) < TOL
    c_dot, _ = s2s.luong_attention(s, h, mask, np.eye(4))                       # W = I: plain dot product
    scores = torch.einsum("nh,nsh->ns", torch.from_numpy(s), h_t).masked_fill(~m[:, 0], -torch.inf)
    assert maxdiff(c_dot, (torch.softmax(scores, -1)[..., None] * h_t).sum(1)) < TOL
    assert np.all(alpha[~mask] == 0)
