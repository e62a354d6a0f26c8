def test_de_before_a_place_name_as_french_writes_it():
    from ihs.formats import fr_of

    assert [fr_of(n) for n in ("Brest", "Angers", "Élorn", "Hennebont", "Le Guelmeur", "Les Quatre Moulins")] == [
        "de Brest",
        "d'Angers",
        "d'Élorn",
        "d'Hennebont",
        "du Guelmeur",
        "des Quatre Moulins",
    ]
