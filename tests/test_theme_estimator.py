"""ThemeModel follows scikit-learn's estimator rules.

It takes a list of strings, so the full ``parametrize_with_checks`` suite
(numeric arrays) does not apply: the checks below are scikit-learn's own for
what does not depend on the input type, plus text versions of those that do
(transform has no side effect, fit does not touch parameters, refitting is
idempotent, nothing learned before fit).
"""

from __future__ import annotations

import copy

import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import (
    check_do_not_raise_errors_in_init_or_set_params,
    check_estimator_cloneable,
    check_estimator_repr,
    check_get_params_invariance,
    check_no_attributes_set_in_init,
    check_parameters_default_constructible,
    check_set_params,
)

from feedback_nlp.themes import ThemeModel, apply_codebook, match_previous_ids
from feedback_nlp.themes.codebook import parse_codebook
from test_persist import make_texts

PARAMS = dict(n_themes=4, representation="tfidf", n_clusters=10)


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return make_texts(16)


@pytest.fixture(scope="module")
def fitted(texts: list[str]) -> ThemeModel:
    return ThemeModel(**PARAMS).fit(texts)


@pytest.mark.parametrize(
    "check",
    [
        check_no_attributes_set_in_init,
        check_parameters_default_constructible,
        check_get_params_invariance,
        check_set_params,
        check_do_not_raise_errors_in_init_or_set_params,
        check_estimator_repr,
        check_estimator_cloneable,
    ],
    ids=lambda c: c.__name__,
)
def test_sklearn_check(check):
    check("ThemeModel", ThemeModel(**PARAMS))


@pytest.mark.parametrize("method", ["transform", "assign", "embed", "seed_centroid"])
def test_not_fitted_error_before_fit(method):
    with pytest.raises(NotFittedError):
        getattr(ThemeModel(**PARAMS), method)(["slow broadband"])


def test_not_fitted_error_for_memberships_and_edits():
    model = ThemeModel(**PARAMS)
    with pytest.raises(NotFittedError):
        model.memberships(np.zeros((1, 4), dtype=np.float32))
    with pytest.raises(NotFittedError):
        model.match_reference()
    with pytest.raises(NotFittedError):
        model.with_labels({})
    with pytest.raises(NotFittedError):
        model.without_terms(["again"])


def test_fit_returns_self_and_leaves_parameters_alone(texts):
    model = ThemeModel(**PARAMS, brand_terms=("acme",))
    before = joblib.hash(model.get_params())
    assert model.fit(texts) is model
    assert joblib.hash(model.get_params()) == before


def test_learned_state_ends_in_underscore(fitted):
    learned = {k for k in vars(fitted) if k not in fitted.get_params()}
    public = {k for k in learned if not k.startswith("_")}
    assert public and all(k.endswith("_") for k in public)
    assert not any(k.endswith("_") for k in vars(clone(fitted)))


def test_refit_is_idempotent(texts):
    model = ThemeModel(**PARAMS)
    first = copy.deepcopy(model.fit(texts))
    model.fit(texts)
    np.testing.assert_array_equal(first.centroids_, model.centroids_)
    assert first.themes_ == model.themes_
    assert first.none_threshold_ == model.none_threshold_


@pytest.mark.parametrize("max_embed", [4000, 3])  # embedded, and the fast path
def test_transform_and_assign_have_no_side_effects(fitted, texts, max_embed):
    model = clone(fitted).set_params(max_embed=max_embed).fit(texts)
    before = joblib.hash(vars(model))
    a = model.assign(texts + ["the wifi signal drops", ""])
    model.transform(texts[:5])
    model.memberships(a[2])
    b = model.assign(texts + ["the wifi signal drops", ""])
    assert joblib.hash(vars(model)) == before
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[2], b[2])


def test_edits_return_copies_and_leave_the_model_alone(fitted, texts):
    before = joblib.hash(vars(fitted))
    cb = parse_codebook(
        "themes: {T01: {label: renamed}}\nmerge: [[T02, T03]]\nexclude_terms: [again]"
    )
    edited = apply_codebook(fitted, cb, texts)
    renamed = fitted.with_labels({"T01": "x"}).without_terms(["speed"])
    other = ThemeModel(**PARAMS, random_state=3).fit(make_texts(16, seed=5))
    matched, _, _ = match_previous_ids(other, fitted, texts)
    assert joblib.hash(vars(fitted)) == before
    assert edited is not fitted and renamed is not fitted and matched is not other
    assert edited.n_themes_ == 3 and edited.match_reference()[0] == ["T01", "T02", "T03", "T04"]
    assert renamed.themes_[0]["label"] == "x"
    with pytest.raises(ValueError, match="unknown theme id 'T09'"):
        fitted.with_labels({"T09": "x"})
