"""Controlled vocabularies: the code stored in the database and its French label.

Codes are stable ASCII identifiers; labels are what partners read. Programme-specific
values (landlords, operators, offers, prices, durations) are data, not listed here.
"""

from __future__ import annotations

ORGANISATION_KINDS = {
    "city": "Ville / collectivité",
    "landlord": "Bailleur",
    "operator": "Opérateur",
    "association": "Association",
    "consumer_association": "Association de consommateurs",
    "recyclerie": "Recyclerie",
    "facility": "Équipement de quartier",
    "institution": "Institution",
    "school": "Établissement scolaire",
}

SECTOR_KINDS = {"qpv": "QPV", "veille": "Quartier de veille", "other": "Autre"}

ROLES = {
    "coordinator": "Coordination (ville)",
    "landlord": "Bailleur",
    "operator": "Opérateur",
    "partner": "Partenaire",
    "viewer": "Lecture seule",
}

# The pipeline of one deployment, in order (domain.md, "the calendar").
STAGES = {
    "validation": "Validation",
    "kickoff": "Réunion de lancement",
    "information": "Période d'information",
    "ballot": "Scrutin",
    "implementation": "Mise en œuvre",
    "workshops": "Ateliers numériques",
}

DEPLOYMENT_STATUSES = {
    "proposed": "Proposé",
    "information": "Période d'information",
    "ballot": "Scrutin",
    "implementation": "Mise en œuvre",
    "deployed": "Déployé",
    "rejected": "Rejeté",
    "abandoned": "Abandonné",
}

BALLOT_STATUSES = {
    "planned": "Préparé",
    "open": "Ouvert",
    "closed": "Clos",
    "counted": "Dépouillé",
    "validated": "Validé",
    "locked": "Verrouillé",
}

ADOPTION_RULES = {
    "majority_of_votes": "Plus de oui que de non parmi les suffrages exprimés",
    "majority_of_registered": "Majorité des logements inscrits",
    "quorum": "Majorité des exprimés avec un quorum de participation",
}

POLLING_PLACE_KINDS = {
    "facility": "Équipement de quartier",
    "landlord_office": "Agence du bailleur",
    "caretaker": "Gardien d'immeuble",
    "town_hall": "Mairie de quartier",
    "other": "Autre",
}

EVENT_KINDS = {
    "meeting": "Réunion",
    "information": "Action d'information",
    "implementation": "Demi-journée de mise en œuvre",
    "workshop": "Séance d'atelier numérique",
    "dropin": "Permanence",
    "gathering": "Rencontre annuelle des acteurs de quartier",
}

EVENT_SUBKINDS = {
    "meeting": {"kickoff": "Réunion de lancement", "partners": "Réunion partenaires", "public": "Réunion publique"},
    "information": {
        "door_to_door": "Porte-à-porte",
        "letter": "Courrier",
        "flyer": "Flyer",
        "booklet": "Livret",
        "poster": "Affiche",
        "sticker": "Autocollant",
        "newsletter": "Lettre d'information",
    },
}

VISIT_KINDS = {
    "door_to_door": "Porte-à-porte",
    "dropin": "Permanence",
    "legal": "Accompagnement juridique",
    "equipment": "Vente d'ordinateurs",
}

DROPIN_TOPICS = {
    "abonnement": "Abonnement",
    "equipement": "Équipement",
    "resiliation": "Résiliation",
    "demarches": "Démarches en ligne",
    "initiation": "Initiation",
    "autre": "Autre",
}

SUBSCRIBER_SOURCES = {"operator": "Données opérateur", "demo": "démo", "estimate": "Estimation"}
