"""Tests for code/architectures/embeddings.py (page: docs/architectures/embeddings.md).

one_hot(ids) @ E equals the lookup E[ids] exactly and equals nn.Embedding; the scatter-add gradient equals
one_hot(ids)^T dY, torch.autograd of nn.Embedding / F.embedding and central finite differences (repeated rows
add up, unused rows and the padding row get zero); EmbeddingBag (sum and mean, empty bags) equals
nn.EmbeddingBag in values and gradients; the tied model is one tensor counted once, and its gradient is the
sum of the lookup path and the output path, each equal to an untied model's gradient, the sum equal to finite
differences; the trained character model beats the counting baselines and groups digits and vowels; bad input
raises an error naming what was expected; the pitfalls and exercises show what the page says they show.
"""
import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

import embeddings as em

MODULE = em.__file__
TOL = 1e-12                      # float64 agreement with PyTorch
FD_TOL = 1e-7                    # central differences with h = 1e-6 on O(1) numbers


@pytest.fixture
def rng():
    return np.random.default_rng(23)


def maxdiff(a, b):
    return np.max(np.abs(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)))


def torch_embedding(E, padding_idx=None):
    return nn.Embedding.from_pretrained(torch.tensor(E), freeze=False, padding_idx=padding_idx)


# ---------------------------------------------------------------- one-hot times E is a lookup, eqs. (1)-(3)

@pytest.mark.parametrize("shape", [(6,), (2, 5), (2, 3, 4)])
def test_one_hot_times_E_equals_the_lookup_exactly(rng, shape):
    E, ids = rng.normal(size=(7, 3)), rng.integers(0, 7, shape)
    Y = em.embedding_forward(ids, E)
    assert Y.shape == shape + (3,)
    assert np.array_equal(em.one_hot(ids, 7) @ E, Y)                      # exact, not just close
    assert np.array_equal(Y, torch_embedding(E)(torch.from_numpy(ids)).detach().numpy())
    assert np.array_equal(Y, F.embedding(torch.from_numpy(ids), torch.tensor(E)).numpy())


def test_each_one_hot_vector_selects_its_row_and_they_are_orthonormal(rng):
    E = rng.normal(size=(5, 4))
    X = em.one_hot(np.arange(5), 5)                                       # the V one-hot vectors, as rows
    assert np.array_equal(X, np.eye(5))                                   # e_i^T e_j = [i = j]
    for i in range(5):
        assert np.array_equal(X[i] @ E, E[i])                             # eq. (2)
    assert np.array_equal(em.one_hot(np.array([2, 0]), 4), F.one_hot(torch.tensor([2, 0]), 4).double().numpy())


def test_torch_one_hot_product_equals_nn_embedding_with_the_same_weight(rng):
    E, ids = torch.tensor(rng.normal(size=(9, 4))), torch.tensor(rng.integers(0, 9, (3, 5)))
    emb = nn.Embedding(9, 4, dtype=torch.float64)
    with torch.no_grad():
        emb.weight.copy_(E)
    assert torch.equal(F.one_hot(ids, 9).double() @ E, emb(ids))


# ---------------------------------------------------------------- the gradient: a scatter-add, eqs. (4)-(6)

@pytest.mark.parametrize("shape", [(7,), (3, 4), (2, 2, 3)])
def test_embedding_backward_equals_autograd_and_the_one_hot_product(rng, shape):
    V, d = 6, 3
    E, ids, dY = rng.normal(size=(V, d)), rng.integers(0, V, shape), rng.normal(size=shape + (d,))
    dE = em.embedding_backward(ids, dY, V)
    emb = torch_embedding(E)
    (emb(torch.from_numpy(ids)) * torch.from_numpy(dY)).sum().backward()   # J = sum(dY * Y): dJ/dY = dY
    W = torch.tensor(E, requires_grad=True)
    (F.embedding(torch.from_numpy(ids), W) * torch.from_numpy(dY)).sum().backward()
    X = em.one_hot(ids, V).reshape(-1, V)
    assert maxdiff(dE, emb.weight.grad) < TOL and maxdiff(dE, W.grad) < TOL
    assert maxdiff(dE, X.T @ dY.reshape(-1, d)) < TOL                     # eq. (4)


def test_embedding_backward_equals_finite_differences(rng, finite_difference):
    E, ids, C = rng.normal(size=(5, 3)), np.array([[1, 3, 1], [4, 1, 0]]), rng.normal(size=(2, 3, 3))
    loss = lambda E: np.sum(np.tanh(em.embedding_forward(ids, E)) * C)   # noqa: E731  a non-linear loss
    dY = (1 - np.tanh(E[ids]) ** 2) * C                                    # dL/dY
    assert maxdiff(em.embedding_backward(ids, dY, 5), finite_difference(loss, E)) < FD_TOL


def test_rows_used_twice_accumulate_and_unused_rows_get_exactly_zero(rng):
    ids, dY = np.array([[3, 0, 3], [3, 5, 0]]), rng.normal(size=(2, 3, 2))
    dE = em.embedding_backward(ids, dY, 7)
    assert maxdiff(dE[3], dY[0, 0] + dY[0, 2] + dY[1, 0]) < TOL          # three uses, three terms
    assert maxdiff(dE[0], dY[0, 1] + dY[1, 2]) < TOL
    assert np.array_equal(dE[[1, 2, 4, 6]], np.zeros((4, 2)))             # never looked up: exactly zero


def test_padding_idx_row_starts_at_zero_and_gets_no_gradient(rng):
    ids, dY = np.array([[4, 2, 0, 0], [1, 0, 0, 0]]), rng.normal(size=(2, 4, 3))
    emb = nn.Embedding(5, 3, padding_idx=0, dtype=torch.float64)
    assert torch.equal(emb.weight[0], torch.zeros(3, dtype=torch.float64))   # initialized to zeros
    (emb(torch.from_numpy(ids)) * torch.from_numpy(dY)).sum().backward()
    ours = em.embedding_backward(ids, dY, 5, padding_idx=0)
    assert maxdiff(ours, emb.weight.grad) < TOL
    assert np.array_equal(ours[0], np.zeros(3))                          # eq. (6)
    assert maxdiff(em.embedding_backward(ids, dY, 5)[0], dY[ids == 0].sum(axis=0)) < TOL   # without it: trained


# ---------------------------------------------------------------- EmbeddingBag, eqs. (7)-(8)

@pytest.mark.parametrize("mode", ["mean", "sum"])
@pytest.mark.parametrize("offsets", [[0, 3, 3, 7], [0], [0, 1, 2, 8], [0, 4, 8]])
def test_embedding_bag_equals_torch_values_and_gradients(rng, mode, offsets):
    V, d = 6, 3
    E, ids, dO = rng.normal(size=(V, d)), rng.integers(0, V, 8), rng.normal(size=(len(offsets), d))
    bag = nn.EmbeddingBag.from_pretrained(torch.tensor(E), freeze=False, mode=mode)
    O = bag(torch.from_numpy(ids), torch.tensor(offsets))
    (O * torch.from_numpy(dO)).sum().backward()
    ours = em.embedding_bag(ids, offsets, E, mode)
    assert ours.shape == (len(offsets), d) and maxdiff(ours, O.detach()) < TOL
    assert maxdiff(em.embedding_bag_backward(ids, offsets, dO, V, mode), bag.weight.grad) < TOL


def test_bag_mean_is_the_average_of_its_rows_and_an_empty_bag_is_zero(rng):
    E, ids = rng.normal(size=(6, 2)), np.array([1, 4, 4, 2, 5])
    out = em.embedding_bag(ids, [0, 3, 3], E)                             # bags [1, 4, 4], [], [2, 5]
    assert maxdiff(out[0], (E[1] + 2 * E[4]) / 3) < TOL
    assert np.array_equal(out[1], np.zeros(2)) and np.all(np.isfinite(out))
    assert maxdiff(out[2], (E[2] + E[5]) / 2) < TOL


def test_equal_size_bags_equal_torch_2d_input(rng):
    E, ids = rng.normal(size=(6, 3)), rng.integers(0, 6, (4, 3))          # 4 bags of 3, as a 2-D input
    theirs = nn.EmbeddingBag.from_pretrained(torch.tensor(E), mode="mean")(torch.from_numpy(ids))
    assert maxdiff(em.embedding_bag(ids.reshape(-1), [0, 3, 6, 9], E), theirs) < TOL


@pytest.mark.parametrize("mode", ["mean", "sum"])
def test_exercise_2_a_bag_is_a_matrix_product(rng, mode):
    V, ids, offsets = 6, rng.integers(0, 6, 9), [0, 2, 2, 7]
    E, dO = rng.normal(size=(V, 3)), rng.normal(size=(4, 3))
    M = em.bag_matrix(ids, offsets, V, mode)
    assert maxdiff(M @ E, em.embedding_bag(ids, offsets, E, mode)) < TOL
    assert maxdiff(M.T @ dO, em.embedding_bag_backward(ids, offsets, dO, V, mode)) < TOL
    if mode == "mean":
        assert maxdiff(M.sum(axis=1), [1, 0, 1, 1]) < TOL                # a smeared one-hot; the empty bag 0


# ---------------------------------------------------------------- weight tying, eqs. (9)-(12)

def tied_case(rng, V=7, d=3, k=2, N=6, scale=1.0):
    """A float64 tied CharLM with random weights, a batch, and the NumPy copies of its parameters."""
    torch.manual_seed(0)
    model = em.CharLM(V, d, k).double()
    with torch.no_grad():
        model.embedding.weight.mul_(scale)
    x, t = rng.integers(0, V, (N, k)), rng.integers(0, V, N)
    E, A_T, c, b = (p.detach().numpy().copy() for p in model.parameters())
    return model, x, t, E, A_T.T, c, b


def test_tied_parameter_is_one_tensor_counted_once():
    tied, untied = em.CharLM(11, 4, 3), em.CharLM(11, 4, 3, tied=False)
    assert tied.lm_head.weight is tied.embedding.weight
    assert tied.lm_head.weight.data_ptr() == tied.embedding.weight.data_ptr()
    assert len(list(tied.parameters())) == 4 and len(list(untied.parameters())) == 5
    assert em.count_parameters(untied) - em.count_parameters(tied) == 11 * 4     # exactly V d saved
    assert untied.lm_head.weight.data_ptr() != untied.embedding.weight.data_ptr()


def test_tied_model_loss_and_gradients_equal_autograd(rng):
    model, x, t, E, A, c, b = tied_case(rng)
    loss_t = F.cross_entropy(model(torch.from_numpy(x)), torch.from_numpy(t))
    loss_t.backward()
    loss, grads, _, _ = em.tied_lm_loss_and_grads(x, t, E, A, c, b)
    assert abs(loss - loss_t.item()) < TOL
    assert maxdiff(grads["E"], model.embedding.weight.grad) < TOL
    assert maxdiff(grads["A"], model.hidden.weight.grad.T) < TOL
    assert maxdiff(grads["c"], model.hidden.bias.grad) < TOL
    assert maxdiff(grads["b"], model.lm_head.bias.grad) < TOL


def test_tied_gradient_is_the_sum_of_the_lookup_and_output_paths(rng):
    model, x, t, E, A, c, b = tied_case(rng)
    untied = em.CharLM(7, 3, 2, tied=False).double()
    untied.load_state_dict(model.state_dict())                             # equal values, two tensors
    F.cross_entropy(untied(torch.from_numpy(x)), torch.from_numpy(t)).backward()
    _, grads, dE_in, dE_out = em.tied_lm_loss_and_grads(x, t, E, A, c, b)
    assert maxdiff(dE_in, untied.embedding.weight.grad) < TOL           # eq. (11)
    assert maxdiff(dE_out, untied.lm_head.weight.grad) < TOL            # eq. (10)
    assert maxdiff(grads["E"], dE_in + dE_out) < TOL                    # eq. (12)
    unused = np.setdiff1d(np.arange(7), x)
    assert unused.size and np.array_equal(dE_in[unused], np.zeros((unused.size, 3)))   # input: sparse
    assert np.all(np.abs(dE_out).sum(axis=1) > 0)                       # output: every row, every step


def test_tied_gradients_equal_finite_differences_and_neither_part_alone_does(rng, finite_difference):
    _, x, t, E, A, c, b = tied_case(rng, V=5, N=4)
    _, grads, dE_in, dE_out = em.tied_lm_loss_and_grads(x, t, E, A, c, b)
    fd_E = finite_difference(lambda E_: em.tied_lm_loss_and_grads(x, t, E_, A, c, b)[0], E)
    assert maxdiff(grads["E"], fd_E) < FD_TOL
    assert maxdiff(dE_in, fd_E) > 1e-3 and maxdiff(dE_out, fd_E) > 1e-3
    for name, p in [("A", A), ("c", c), ("b", b)]:
        args = {"A": A, "c": c, "b": b}
        f = lambda v, name=name: em.tied_lm_loss_and_grads(x, t, E, **{**args, name: v})[0]   # noqa: E731
        assert maxdiff(grads[name], finite_difference(f, p.copy())) < FD_TOL


def test_tied_model_with_extreme_logits_is_finite_and_equals_torch(rng):
    model, x, t, E, A, c, b = tied_case(rng, scale=3e3)                  # logits of order 1e4
    loss, grads, _, _ = em.tied_lm_loss_and_grads(x, t, E, A, c, b)
    assert np.abs(E @ E.T).max() > 1e4
    loss_t = F.cross_entropy(model(torch.from_numpy(x)), torch.from_numpy(t))
    loss_t.backward()
    assert np.isfinite(loss) and all(np.all(np.isfinite(g)) for g in grads.values())
    assert abs(loss - loss_t.item()) < 1e-9 * max(1.0, abs(loss))
    assert maxdiff(grads["E"], model.embedding.weight.grad) < 1e-6


# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize("ids, error, message", [
    (np.array([1.0, 2.0]), TypeError, "integer token ids.*got dtype float64"),
    (np.array([True, False]), TypeError, "integer token ids.*got dtype bool"),
    (np.array([0, 5]), ValueError, r"\[0, V\) = \[0, 5\), got 5"),
    (np.array([[0, -1]]), ValueError, r"\[0, V\) = \[0, 5\), got -1"),
])
def test_bad_ids_raise_errors_naming_the_range(ids, error, message):
    E = np.zeros((5, 2))
    for call in (lambda: em.embedding_forward(ids, E), lambda: em.one_hot(ids, 5),
                 lambda: em.embedding_backward(ids, np.zeros(ids.shape + (2,)), 5)):
        with pytest.raises(error, match=message):
            call()


def test_bad_shapes_raise_errors_naming_the_expected_shape(rng):
    with pytest.raises(ValueError, match=r"shape \(V, d\)"):
        em.embedding_forward(np.array([0]), np.zeros(5))
    with pytest.raises(ValueError, match=r"dY must have shape ids.shape \+ \(d,\)"):
        em.embedding_backward(np.array([0, 1]), np.zeros((3, 2)), 5)
    for offsets in ([1, 2], [0, 3, 2], [0, 9]):                           # not from 0, decreasing, past the end
        with pytest.raises(ValueError, match="offsets must start at 0 and never decrease"):
            em.embedding_bag(np.array([0, 1, 2, 3]), offsets, np.zeros((5, 2)))
    _, x, t, E, A, c, b = tied_case(rng)
    with pytest.raises(ValueError, match=r"x must have shape \(N, k\)"):
        em.tied_lm_loss_and_grads(x[:, 0], t, E, A, c, b)


def test_torch_raises_its_own_errors_for_the_same_mistakes():
    emb = nn.Embedding(5, 3)
    for bad in (torch.tensor([5]), torch.tensor([-1])):
        with pytest.raises(IndexError, match="index out of range in self"):
            emb(bad)
    with pytest.raises(RuntimeError, match="Long, Int"):
        emb(torch.tensor([1.0]))


# ---------------------------------------------------------------- the trained character model

@pytest.fixture(scope="module")
def trained():
    return em.train_char_lm()


def test_trained_model_beats_both_counting_baselines(trained):
    unigram, bigram = trained["baselines"]
    assert trained["val_loss"] < bigram < unigram
    assert trained["examples"] == 800 * 256 and trained["seconds"] > 0


def test_learned_vectors_group_digits_and_vowels(trained):
    E, vocab = trained["model"].embedding.weight.detach().double().numpy(), trained["vocab"]
    S = em.cosine_similarity(E)
    assert maxdiff(np.diag(S), np.ones(len(vocab))) < TOL and np.abs(S).max() <= 1 + TOL

    def mean_similarity(a, b):
        return np.mean([S[vocab.index(p), vocab.index(q)] for p in a for q in b if p != q])
    digits, vowels, consonants = "0123456789", "aeiou", "bcdfghlmnprst"
    assert mean_similarity(digits, digits) > mean_similarity(digits, vowels + consonants) + 0.5
    assert mean_similarity(vowels, vowels) > mean_similarity(vowels, consonants) + 0.2
    assert sum(ch in digits for ch, _ in em.nearest(E, vocab, "0")) >= 3
    assert sum(ch in vowels for ch, _ in em.nearest(E, vocab, "a")) >= 3
    assert em.nearest(E, vocab, " ")[0][0] == "\n" and em.nearest(E, vocab, "(")[0][0] == "["


def test_nearest_ranks_by_cosine_and_skips_the_query():
    E, vocab = np.array([[1.0, 0.0], [10.0, 1.0], [0.0, 1.0], [-1.0, 0.0]]), list("abcd")
    result = em.nearest(E, vocab, "a", n=3)
    assert [ch for ch, _ in result] == ["b", "c", "d"]                      # length does not matter
    assert maxdiff([s for _, s in result], [10 / np.sqrt(101), 0.0, -1.0]) < TOL


def test_baselines_are_what_counting_gives():
    train = np.array([[0, 1], [1, 0], [0, 1]])                              # (previous, next) pairs, V = 2
    unigram, bigram = em.baseline_losses(train, np.array([[0, 1]]), 2)
    assert abs(unigram - -np.log(3 / 5)) < TOL                               # next = 1: (2 + 1) / (3 + 2)
    assert abs(bigram - -np.log(3 / 4)) < TOL                                # after 0: (2 + 1) / (2 + 2)


def test_the_demo_prints_losses_timing_and_neighbours(run_main):
    out = run_main(MODULE)
    assert re.search(r"ms per training example, 1 CPU thread", out)
    assert re.search(r"\(untied: \d+, V\*d = \d+ more\)", out)
    losses = [float(v) for v in re.findall(r"(?:counts|model) (\d+\.\d+)", out)]
    assert len(losses) == 3 and losses[2] < losses[1] < losses[0]
    assert "nearest to '0':" in out


def test_plot_shows_every_character(trained):
    fig = em.plot_learned_vectors()
    assert len(fig.axes[0].texts) == len("0123456789aeioubcdfghlmnprstwyACEFINPST()[]{}")


# ---------------------------------------------------------------- pitfalls, exercises, cost, check

def test_tying_by_copying_drifts_and_sharing_does_not():
    assert em.tying_drift("copy") > 0.05
    assert em.tying_drift("share") == 0.0


def test_pitfalls_show_their_symptoms(run_main):
    out = run_main(MODULE, "--pitfalls")
    assert out.count("IndexError: index out of range in self") == 2
    assert "ValueError: ids must be integer indices in [0, V) = [0, 5), got 5" in out
    assert "TypeError: ids must be integer token ids" in out and "Long, Int" in out
    assert "padding_idx=None: gradient of the pad row = [2.0, 2.0, 2.0]" in out
    assert "padding_idx=0: gradient of the pad row = [0.0, 0.0, 0.0]" in out
    assert "row 2 = [1. 1. 1.] ; np.add.at: row 2 = [2. 2. 2.]" in out
    assert "tied by share: max |lm_head.weight - embedding.weight| after 5 steps = 0.000" in out
    assert "mat1 and mat2 shapes cannot be multiplied" in out


def test_buffered_index_add_loses_repeats_but_add_at_does_not():
    dE = np.zeros((3, 2))
    dE[np.array([1, 1, 1])] += np.ones((3, 2))
    assert np.array_equal(dE[1], [1.0, 1.0])
    assert np.array_equal(em.embedding_backward(np.array([1, 1, 1]), np.ones((3, 2)), 3)[1], [3.0, 3.0])


def test_max_norm_rescales_the_looked_up_rows_in_place_even_without_grad():
    torch.manual_seed(0)
    emb = nn.Embedding(6, 4, max_norm=1.0)
    before = emb.weight.detach().clone()
    with torch.no_grad():
        emb(torch.tensor([0, 1, 2]))
    norms = emb.weight.detach().norm(dim=1)
    assert before[:3].norm(dim=1).max() > 1                                  # something to rescale
    assert torch.all(norms[:3] <= 1 + 1e-6) and torch.equal(emb.weight.detach()[3:], before[3:])


def test_from_pretrained_freezes_by_default_and_tying_shapes_must_match():
    vectors = torch.randn(4, 3)
    assert not nn.Embedding.from_pretrained(vectors).weight.requires_grad
    assert nn.Embedding.from_pretrained(vectors, freeze=False).weight.requires_grad
    emb, head = nn.Embedding(10, 16), nn.Linear(32, 10)
    head.weight = emb.weight
    with pytest.raises(RuntimeError, match="shapes cannot be multiplied"):
        head(torch.randn(2, 32))


def test_exercise_1_repeated_id_by_hand(run_main):
    dE = em.embedding_backward(np.array([2, 0, 2]), np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), 4)
    assert np.array_equal(dE, [[3, 4], [0, 0], [6, 8], [0, 0]])
    assert "[6. 8.]" in run_main(MODULE, "--ex1")


def test_exercise_3_tied_initial_loss_scales_like_d_sigma_squared(run_main):
    V, d = 1000, 64
    assert abs(em.initial_tied_loss(V, d, 1.0) - d) < 0.1 * d              # about d std^2, far above ln V
    assert abs(em.initial_tied_loss(V, d, 0.02) - np.log(V)) < 0.01       # about ln V: nearly uniform
    assert "ln V = 6.908" in run_main(MODULE, "--ex3")


def test_exercise_4_one_hot_linear_is_a_sum_of_lookups(rng):
    sizes, h = [7, 3, 5], 4
    columns = np.stack([rng.integers(0, V_c, 6) for V_c in sizes], axis=1)   # (N, m)
    W = rng.normal(size=(h, sum(sizes)))
    blocks = np.split(W.T, np.cumsum(sizes)[:-1])                          # E_c: (V_c, h) each
    lookups = sum(em.embedding_forward(columns[:, c], E_c) for c, E_c in enumerate(blocks))
    assert maxdiff(em.one_hot_linear(columns, sizes, W), lookups) < TOL
    lin = nn.Linear(sum(sizes), h, bias=False).double()
    with torch.no_grad():
        lin.weight.copy_(torch.from_numpy(W))
    X = torch.cat([F.one_hot(torch.from_numpy(columns[:, c]), V_c) for c, V_c in enumerate(sizes)], 1).double()
    assert maxdiff(lin(X).detach(), lookups) < TOL


def test_cost_rows_have_the_one_hot_memory_and_positive_times():
    rows = em.lookup_vs_one_hot(Vs=(10, 200), n=8, d=4)
    assert [r[0] for r in rows] == [10, 200]
    for V, t_lookup, t_matmul, megabytes in rows:
        assert t_lookup > 0 and t_matmul > 0 and megabytes == 8 * V * 4 / 2 ** 20


def test_check_prints_tiny_differences(run_main):
    out = run_main(MODULE, "--check")
    values = [float(v) for v in re.findall(r"(\d\.\de[+-]\d+)$", out, re.M)]
    assert len(values) == len(em.check_rows()) == 11
    assert max(values) < 1e-12
