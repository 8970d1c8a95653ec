"""Tests for code/training/evaluation_metrics.py (page: docs/training/evaluation-metrics.md).

Every from-scratch metric equals scikit-learn's on the same random, seeded predictions, ties and edge cases
included (a class never predicted, a class absent, all right, all wrong, one example), with zero_division=0;
ROC-AUC by sorting equals ROC-AUC by ranks and by counting pairs, and the PyTorch versions; perplexity equals
exp(F.cross_entropy) and stays finite for logits of ±1e4; bad input raises an error that names what was
expected; the pitfalls and the exercise solutions show what the page says they show.
"""
import re
import warnings

import numpy as np
import pytest
import sklearn.metrics as skm
import torch
import torch.nn.functional as F
from scipy.stats import rankdata

import evaluation_metrics as em

TOL = 1e-12
SEEDS = range(8)


def labels_pair(seed, C=4, N=60):
    """Random labels; odd seeds never predict the last class, seeds divisible by 3 never contain class 0."""
    rng = np.random.default_rng(seed)
    y = rng.integers(1 if seed % 3 == 0 else 0, C, N)
    y_hat = rng.integers(0, C - 1 if seed % 2 else C, N)
    return y, y_hat


def binary_scores(seed, N=80, levels=5):
    """Binary labels and scores with many ties (only `levels` distinct values)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, N)
    y[:2] = [0, 1]                                            # both classes present
    return y, rng.integers(0, levels, N) / (levels - 1) + 0.3 * y * rng.integers(0, 2, N)


EDGE_CASES = [  # (y_true, y_pred, C)
    (np.array([0, 1, 2, 2]), np.array([0, 1, 2, 2]), 3),      # all right
    (np.array([0, 1, 2, 2]), np.array([1, 2, 0, 0]), 3),      # all wrong
    (np.array([2]), np.array([2]), 4),                        # one example; classes 0, 1, 3 absent everywhere
    (np.array([0, 0, 0, 1]), np.array([0, 0, 0, 0]), 2),      # class 1 never predicted
    (np.array([0, 0, 0, 0]), np.array([0, 1, 0, 1]), 2),      # class 1 never true
]


# ---------------------------------------------------------------- confusion matrix, accuracy, P/R/F1

@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("C", [2, 3, 5])
def test_confusion_matrix_and_accuracy_equal_sklearn(seed, C):
    y, y_hat = labels_pair(seed, C)
    M = em.confusion_matrix(y, y_hat, C)
    assert np.array_equal(M, skm.confusion_matrix(y, y_hat, labels=list(range(C))))
    assert M.sum() == len(y) and np.array_equal(M.sum(axis=1), np.bincount(y, minlength=C))
    assert em.accuracy(y, y_hat) == skm.accuracy_score(y, y_hat) == np.trace(M) / len(y)


def sklearn_prf(y, y_hat, C, average):
    kw = dict(labels=list(range(C)), average=average, zero_division=0)
    return skm.precision_score(y, y_hat, **kw), skm.recall_score(y, y_hat, **kw), skm.f1_score(y, y_hat, **kw)


@pytest.mark.parametrize("average", [None, "macro", "micro", "weighted"])
@pytest.mark.parametrize("case", [labels_pair(s, C) + (C,) for s in SEEDS for C in (3, 5)] + EDGE_CASES)
def test_precision_recall_f1_equal_sklearn(case, average):
    y, y_hat, C = case
    for ours, theirs in zip(em.precision_recall_f1(y, y_hat, C, average), sklearn_prf(y, y_hat, C, average)):
        assert np.max(np.abs(np.asarray(ours) - theirs)) < TOL


@pytest.mark.parametrize("seed", SEEDS)
def test_binary_average_equals_sklearn(seed):
    y, y_hat = labels_pair(seed, C=2)
    ours = em.precision_recall_f1(y, y_hat, 2, "binary")
    assert np.max(np.abs(np.array(ours) - sklearn_prf(y, y_hat, 2, "binary"))) < TOL


def test_a_class_never_predicted_gets_precision_zero_like_sklearn_zero_division_0():
    y, y_hat = np.array([0, 1, 2, 2, 1]), np.array([0, 1, 1, 1, 1])       # class 2 never predicted
    P, R, F1 = em.precision_recall_f1(y, y_hat, 3)
    assert P[2] == 0.0 and R[2] == 0.0 and F1[2] == 0.0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        default = skm.precision_score(y, y_hat, average=None)               # zero_division="warn"
    assert default[2] == 0.0 and any(issubclass(w.category, skm._classification.UndefinedMetricWarning)
                                     for w in caught)
    assert skm.precision_score(y, y_hat, average=None, zero_division=1)[2] == 1.0   # the other convention


@pytest.mark.parametrize("seed", SEEDS)
def test_f1_is_the_harmonic_mean_of_precision_and_recall(seed):
    y, y_hat = labels_pair(seed, C=3)
    P, R, F1 = em.precision_recall_f1(y, y_hat, 3)
    both = (P > 0) & (R > 0)
    assert np.allclose(F1[both], 2 * P[both] * R[both] / (P[both] + R[both]), rtol=0, atol=TOL)
    assert np.all(F1[~both] == 0)


@pytest.mark.parametrize("seed", SEEDS)
def test_exercise_micro_average_equals_accuracy(seed):
    y, y_hat = labels_pair(seed, C=5)
    P, R, F1 = em.precision_recall_f1(y, y_hat, 5, "micro")
    assert abs(P - em.accuracy(y, y_hat)) < TOL and abs(R - P) < TOL and abs(F1 - P) < TOL


def test_weighted_average_uses_the_support():
    y, y_hat = np.array([0, 0, 0, 1]), np.array([0, 0, 0, 0])
    P, R, F1 = em.precision_recall_f1(y, y_hat, 2)
    Pw, Rw, Fw = em.precision_recall_f1(y, y_hat, 2, "weighted")
    assert abs(Rw - (0.75 * R[0] + 0.25 * R[1])) < TOL and abs(Rw - em.accuracy(y, y_hat)) < TOL


@pytest.mark.parametrize("seed", SEEDS)
def test_sensitivity_and_specificity(seed):
    y, y_hat = labels_pair(seed, C=2)
    sens, spec = em.sensitivity_specificity(y, y_hat)
    assert abs(sens - skm.recall_score(y, y_hat, zero_division=0)) < TOL
    assert abs(spec - skm.recall_score(y, y_hat, pos_label=0, zero_division=0)) < TOL


# ---------------------------------------------------------------- ROC and precision-recall

@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("levels", [3, 6, 1000])                       # heavy ties ... almost none
@pytest.mark.parametrize("drop", [True, False])
def test_roc_curve_equals_sklearn(seed, levels, drop):
    y, s = binary_scores(seed, levels=levels)
    (fpr, tpr, t), (sk_fpr, sk_tpr, sk_t) = em.roc_curve(y, s, drop), skm.roc_curve(y, s, drop_intermediate=drop)
    assert fpr.shape == sk_fpr.shape and np.max(np.abs(fpr - sk_fpr)) < TOL and np.max(np.abs(tpr - sk_tpr)) < TOL
    assert np.array_equal(t, sk_t) and t[0] == np.inf                  # the first threshold: nothing positive
    assert fpr[0] == tpr[0] == 0 and fpr[-1] == tpr[-1] == 1


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("levels", [2, 5, 1000])
def test_roc_auc_by_sorting_by_ranks_by_pairs_and_in_torch_all_equal_sklearn(seed, levels):
    y, s = binary_scores(seed, levels=levels)
    auc = skm.roc_auc_score(y, s)
    pairs = s[y == 1][:, None] - s[y == 0][None, :]
    by_pairs = np.mean((pairs > 0) + 0.5 * (pairs == 0))                 # eq. (9), counted directly
    assert abs(em.roc_auc(y, s) - auc) < TOL and abs(em.roc_auc_by_ranks(y, s) - auc) < TOL
    assert abs(by_pairs - auc) < TOL
    assert abs(em.torch_roc_auc(torch.as_tensor(s), torch.as_tensor(y)).item() - auc) < TOL


def test_average_ranks_equal_scipy():
    rng = np.random.default_rng(0)
    for s in (rng.integers(0, 4, 30).astype(float), rng.normal(size=30), np.zeros(5)):
        assert np.array_equal(em.average_ranks(s), rankdata(s, method="average"))


def test_roc_auc_special_values():
    y = np.array([0, 0, 1, 1, 0, 1])
    assert em.roc_auc(y, np.zeros(6)) == 0.5                            # no information: the diagonal
    assert em.roc_auc(y, y + 0.1) == 1.0 and em.roc_auc(y, -y) == 0.0   # perfect, perfectly wrong


@pytest.mark.parametrize("seed", SEEDS)
def test_exercise_auc_depends_only_on_the_order_of_the_scores(seed):
    y, s = binary_scores(seed, levels=1000)
    auc = em.roc_auc(y, s)
    for t in (np.exp(s), 1 / (1 + np.exp(-3 * s)), 5 * s - 2, s ** 3):
        assert abs(em.roc_auc(y, t) - auc) < TOL
    assert abs(em.roc_auc(y, -s) - (1 - auc)) < TOL


def test_roc_auc_ovr_equals_sklearn():
    rng = np.random.default_rng(1)
    S = rng.normal(size=(90, 4)).round(1)
    P = np.exp(S) / np.exp(S).sum(axis=1, keepdims=True)
    y = rng.integers(0, 4, 90)
    assert abs(em.roc_auc_ovr(y, P) - skm.roc_auc_score(y, P, multi_class="ovr")) < TOL


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("levels", [3, 1000])
def test_precision_recall_curve_and_average_precision_equal_sklearn(seed, levels):
    y, s = binary_scores(seed, levels=levels)
    precision, recall, t = em.precision_recall_curve(y, s)
    sk_p, sk_r, sk_t = skm.precision_recall_curve(y, s)
    # scikit-learn lists thresholds increasing and appends the point (recall 0, precision 1)
    assert np.allclose(precision, sk_p[:-1][::-1], rtol=0, atol=TOL)
    assert np.allclose(recall, sk_r[:-1][::-1], rtol=0, atol=TOL) and np.array_equal(t, sk_t[::-1])
    assert abs(em.average_precision(y, s) - skm.average_precision_score(y, s)) < TOL


# ---------------------------------------------------------------- top-k, log loss, perplexity

@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_top_k_accuracy_equals_sklearn_with_ties(seed, k):
    rng = np.random.default_rng(seed)
    S, y = rng.integers(0, 3, size=(40, 5)).astype(float), rng.integers(0, 5, 40)   # many tied scores
    assert abs(em.top_k_accuracy(y, S, k) - skm.top_k_accuracy_score(y, S, k=k, labels=range(5))) < TOL


def test_top_k_without_ties_equals_torch_topk_and_accuracy():
    rng = np.random.default_rng(0)
    S, y = rng.normal(size=(50, 6)), rng.integers(0, 6, 50)
    hits = (torch.as_tensor(S).topk(3, dim=1).indices == torch.as_tensor(y)[:, None]).any(dim=1)
    assert abs(em.top_k_accuracy(y, S, 3) - hits.double().mean().item()) < TOL
    assert em.top_k_accuracy(y, S, 1) == em.accuracy(y, S.argmax(axis=1)) and em.top_k_accuracy(y, S, 6) == 1.0


@pytest.mark.parametrize("seed", SEEDS)
def test_log_loss_equals_sklearn(seed):
    rng = np.random.default_rng(seed)
    Z = rng.normal(size=(30, 4)) * 3
    P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    y = rng.integers(0, 4, 30)
    assert abs(em.log_loss(y, P) - skm.log_loss(y, P, labels=range(4))) < TOL
    p, b = P[:, 0] / P[:, :2].sum(axis=1), rng.integers(0, 2, 30)      # binary: P(class 1) as a vector
    assert abs(em.log_loss(b, p) - skm.log_loss(b, p)) < TOL


def test_log_loss_clips_a_zero_probability_like_sklearn():
    y, P = np.array([0, 1]), np.array([[1.0, 0.0], [1.0, 0.0]])          # the second is certain and wrong
    assert np.isfinite(em.log_loss(y, P)) and abs(em.log_loss(y, P) - skm.log_loss(y, P)) < TOL
    assert abs(em.log_loss(y, P) - (-np.log(np.finfo(float).eps)) / 2) < 1e-9


@pytest.mark.parametrize("seed", SEEDS)
def test_perplexity_is_exp_of_torch_cross_entropy(seed):
    rng = np.random.default_rng(seed)
    Z, y = rng.normal(size=(25, 7)) * 2, rng.integers(0, 7, 25)
    theirs = torch.exp(F.cross_entropy(torch.as_tensor(Z), torch.as_tensor(y))).item()
    assert abs(em.perplexity(Z, y) - theirs) < 1e-12 * theirs
    P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    assert abs(np.log(em.perplexity(Z, y)) - em.log_loss(y, P)) < 1e-12    # log perplexity = log loss
    bits = -np.mean(np.log2(P[np.arange(25), y]))
    assert abs(2 ** bits - em.perplexity(Z, y)) < 1e-10                    # the same in bits


def test_exercise_perplexity_of_a_uniform_model_is_c():
    for C in (2, 10, 1000):
        assert abs(em.perplexity(np.zeros((4, C)), np.array([0, 1, 1, 0])) - C) < 1e-9 * C
    # probability p on the truth every time: perplexity 1 / p
    assert abs(em.perplexity(np.log([[0.2, 0.8]] * 3), np.zeros(3, dtype=int)) - 5.0) < 1e-12


def test_perplexity_of_extreme_logits_is_finite_and_exact():
    Z = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 0.0]])
    assert em.perplexity(Z, np.array([0, 1])) == 1.0                  # confident and right
    Z2, y2 = np.array([[1e4, -1e4], [1e4, -1e4]]) / 100, np.array([1, 0])   # one right, one wrong by 200
    theirs = torch.exp(F.cross_entropy(torch.as_tensor(Z2), torch.as_tensor(y2))).item()
    assert np.isfinite(em.perplexity(Z2, y2)) and abs(em.perplexity(Z2, y2) - theirs) < 1e-9 * theirs


def test_torch_metrics_equal_ours():
    rng = np.random.default_rng(3)
    Z, y = rng.normal(size=(60, 4)), rng.integers(0, 4, 60)
    Z[:, 3] -= 5                                                    # class 3 almost never predicted
    ours_P, ours_R, ours_F = em.precision_recall_f1(y, Z.argmax(axis=1), 4, "macro")
    theirs = em.torch_metrics(torch.as_tensor(Z), torch.as_tensor(y), k=2)
    for name, value in [("accuracy", em.accuracy(y, Z.argmax(axis=1))), ("macro precision", ours_P),
                        ("macro recall", ours_R), ("macro F1", ours_F), ("top-2 accuracy", em.top_k_accuracy(y, Z, 2)),
                        ("perplexity", em.perplexity(Z, y))]:
        assert abs(theirs[name].item() - value) < 1e-12, name


# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize("call, error, match", [
    (lambda: em.accuracy([0, 1, 1], [0, 1]), ValueError, r"same length N, got 3 and 2"),
    (lambda: em.confusion_matrix([0, 3], [0, 1], 3), ValueError, r"in \[0, C\) = \[0, 3\), got 3"),
    (lambda: em.confusion_matrix([0, 1], [0, -1], 3), ValueError, r"y_pred must be class indices.*got -1"),
    (lambda: em.accuracy([0.0, 1.0], [0, 1]), TypeError, "integer class indices"),
    (lambda: em.accuracy([0, 1], [0, -2]), ValueError, "y_pred must be class indices >= 0, got -2"),
    (lambda: em.accuracy([[0, 1]], [[0, 1]]), ValueError, r"shape \(N,\)"),
    (lambda: em.accuracy([], []), ValueError, r"N >= 1"),
    (lambda: em.precision_recall_f1([0, 1, 2], [0, 1, 2], 3, "binary"), ValueError, "needs C = 2"),
    (lambda: em.precision_recall_f1([0, 1], [0, 1], 2, "mean"), ValueError, "average must be"),
    (lambda: em.roc_auc([1, 1, 1], [0.2, 0.5, 0.9]), ValueError, "both classes 0 and 1"),
    (lambda: em.roc_auc([0, 1, 2], [0.2, 0.5, 0.9]), ValueError, r"\[0, 2\), got 2"),
    (lambda: em.roc_auc([0, 1], [0.2, np.nan]), ValueError, "finite"),
    (lambda: em.roc_auc([0, 1, 1], [0.2, 0.5]), ValueError, r"shape \(N,\)"),
    (lambda: em.log_loss([0, 1], [[0.5, 0.5], [1.2, -0.2]]), ValueError, r"lie in \[0, 1\]"),
    (lambda: em.log_loss([0, 1], [[0.5, 0.6], [0.3, 0.7]]), ValueError, "sum to 1"),
    (lambda: em.log_loss([0, 3], [[0.5, 0.5], [0.3, 0.7]]), ValueError, r"\[0, 2\), got 3"),
    (lambda: em.log_loss([0, 1, 1], [[0.5, 0.5], [0.3, 0.7]]), ValueError, "same length N"),
    (lambda: em.top_k_accuracy([0, 1], [[0.1, 0.9], [0.5, 0.5]], 3), ValueError, r"k must be in \[1, C\]"),
    (lambda: em.top_k_accuracy([0, 1], [0.1, 0.9], 1), ValueError, r"shape \(N, C\)"),
    (lambda: em.perplexity([[0.0, np.inf]], [0]), ValueError, "finite"),
])
def test_bad_input_raises_a_clear_error(call, error, match):
    with pytest.raises(error, match=match):
        call()


# ---------------------------------------------------------------- the digits classifier, pitfalls, exercises

def test_digits_classifiers_are_strong_and_weak():
    y, P = em.digits_predictions()
    assert P.shape == (450, 10) and em.accuracy(y, P.argmax(axis=1)) > 0.95
    y_w, P_w = em.digits_predictions(em.ROW_3)
    assert np.array_equal(y, y_w) and 0.75 < em.roc_auc(y_w == 8, P_w[:, 8]) < 0.95


def test_majority_baseline_has_high_accuracy_and_no_skill():
    y, y_hat = em.majority_baseline()
    assert em.accuracy(y, y_hat) == 0.99
    assert em.precision_recall_f1(y, y_hat, 2, "binary") == (0.0, 0.0, 0.0)
    assert em.precision_recall_f1(y, y_hat, 2, "macro")[1] == 0.5 == skm.balanced_accuracy_score(y, y_hat)


def test_averaging_over_batches_is_not_the_metric_of_the_whole():
    y, P = em.digits_predictions(em.ROW_3)
    y_hat = P.argmax(axis=1)
    f1 = lambda a, b: em.precision_recall_f1(a, b, 10, "macro")[2]   # noqa: E731
    assert abs(em.mean_over_batches(f1, y, y_hat, 32) - f1(y, y_hat)) > 0.02
    # accuracy over equal batches is fine; with a short last batch it is not
    assert abs(em.mean_over_batches(em.accuracy, y[:448], y_hat[:448], 32) - em.accuracy(y[:448], y_hat[:448])) < TOL
    assert em.mean_over_batches(em.accuracy, y, y_hat, 32) != em.accuracy(y, y_hat)


def test_mean_of_batch_perplexities_is_at_least_the_perplexity():
    # exp is convex: the mean of exp(CE_b) >= exp(mean CE_b) (Jensen), with equal batches
    rng = np.random.default_rng(0)
    Z, y = rng.normal(size=(64, 5)) * 2, rng.integers(0, 5, 64)
    batches = [em.perplexity(Z[i:i + 16], y[i:i + 16]) for i in range(0, 64, 16)]
    assert np.mean(batches) > em.perplexity(Z, y)
    assert abs(np.exp(np.mean(np.log(batches))) - em.perplexity(Z, y)) < 1e-12    # geometric mean is right


@pytest.mark.parametrize("seed", SEEDS)
def test_exercise_best_f1_threshold_is_the_best_of_all_thresholds(seed):
    y, s = binary_scores(seed, levels=7)
    t, best = em.best_f1_threshold(y, s)
    brute = {u: skm.f1_score(y, (s >= u).astype(int), zero_division=0) for u in np.unique(s)}
    assert abs(best - max(brute.values())) < TOL and abs(brute[t] - best) < TOL


def test_check_prints_only_tiny_differences(run_main, capsys):
    out = run_main(em, "--check")
    gaps = [float(g) for g in re.findall(r"\s(\d\.\de[+-]\d\d)$", out, re.M)]
    assert len(gaps) == 26 and max(gaps) < 1e-12


def test_demo_pitfalls_and_exercises_run(run_main, capsys):
    out = run_main(em)
    assert "by ranks" in out and "perplexity" in out
    assert "accuracy 0.990, precision 0.000" in run_main(em, "--pitfalls")
    assert "0.2033" in run_main(em, "--exercise", "1")
    out = run_main(em, "--exercise", "2")
    values = [float(v) for v in re.findall(r"(\d\.\d{4})$", out, re.M)]
    assert values[0] == values[1] == values[2] != values[3] and abs(values[0] + values[4] - 1) < 1e-3
    assert "perplexity 10.00" in run_main(em, "--exercise", "3")
    assert "best threshold" in run_main(em, "--exercise", "4")


def test_figures_draw():
    fig = em.plot_classifier()
    assert len(fig.axes[1].lines) == 3                  # strong, weak, chance
    fig = em.plot_thresholds()
    assert len(fig.axes[0].lines) == 5 and len(fig.axes[1].lines) == 2
