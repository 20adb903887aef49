"""Scorecard assembly: registry order, `not run` for unmeasured claims, loud bad inputs."""

import pytest

from landscape.base.io import DataFileError, write_table
from landscape.pipeline.scorecard import SCORECARD_COLUMNS, assemble, score_table
from landscape.pipeline.sections import CLAIMS


def _score(claim_id, verdict="replicated"):
    return {"claim_id": claim_id, "measured": "1/2", "tolerance": "exact", "verdict": verdict}


def test_unmeasured_claims_are_not_run(tmp_path):
    path = tmp_path / "s.csv"
    write_table(score_table([_score("1.stopped_not_minimum")]), path)
    card = assemble([path])
    assert list(card.columns) == SCORECARD_COLUMNS
    assert card["claim_id"].tolist() == [c.claim_id for c in CLAIMS]
    row = card.set_index("claim_id").loc["1.stopped_not_minimum"]
    assert row["verdict"] == "replicated" and row["measured"] == "1/2"
    assert "Dauphin" in row["reference"]
    others = card[card["claim_id"] != "1.stopped_not_minimum"]
    assert set(others["verdict"]) == {"not run"}


def test_bad_scores_are_rejected(tmp_path):
    with pytest.raises(DataFileError, match="unknown claim ids"):
        score_table([_score("9.made_up")])
    with pytest.raises(DataFileError, match="verdicts"):
        score_table([_score("1.stopped_not_minimum", verdict="probably")])
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    for p in (a, b):
        write_table(score_table([_score("2.toy_saddle")]), p)
    with pytest.raises(DataFileError, match="b.csv: claim '2.toy_saddle' is measured twice"):
        assemble([a, b])


def test_claims_have_sources_and_unique_ids():
    ids = [c.claim_id for c in CLAIMS]
    assert len(ids) == len(set(ids))
    for c in CLAIMS:
        assert c.claim_id.startswith(f"{c.section}.") and c.source and c.reference
