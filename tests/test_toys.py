"""The toy gallery: known critical points classified from exact Hessians."""

from landscape.toys import GALLERY, classify_gallery


def test_gallery_points_are_critical_and_classified_as_derived():
    table = classify_gallery(factor=10.0, threshold=1e-10)
    assert len(table) == sum(len(t.points) for t in GALLERY) == 12
    assert table["critical"].all() and table["matches"].all()
    assert set(table["measured"]) == {
        "positive definite", "negative definite", "indefinite", "zero", "positive semidefinite",
    }  # fmt: skip
    origin = table[(table["function"] == "(1 - w1 w2)^2") & (table["x"] == 0)]
    assert origin[["eigenvalue_1", "eigenvalue_2"]].values.tolist() == [[-2.0, 2.0]]
