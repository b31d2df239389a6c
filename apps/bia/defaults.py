"""The default BIA method every organization starts with (``services.scales.scales_ensure_defaults``,
and the data migration ``0003_default_scales`` for organizations created before): six hospital impact
criteria with their four levels, and five time horizons. Each organization then adapts its own copy."""

DEFAULT_LEVEL_LABELS = {1: "Mineur", 2: "Significatif", 3: "Grave", 4: "Critique"}

DEFAULT_CRITERIA: list[tuple[str, str, dict[int, str]]] = [
    ("securite_patient", "Sécurité des patients", {
        1: "Aucune conséquence pour les patients.",
        2: "Retards de prise en charge sans conséquence clinique.",
        3: "Perte de chance possible pour certains patients, transferts nécessaires.",
        4: "Mise en danger de patients, événements indésirables graves.",
    }),
    ("qualite_soins", "Qualité et continuité des soins", {
        1: "Gêne ponctuelle, soins assurés normalement.",
        2: "Soins dégradés sur une partie de l'activité.",
        3: "Déprogrammations, fermeture partielle de l'activité.",
        4: "Arrêt de l'activité de soins.",
    }),
    ("juridique", "Juridique et réglementaire", {
        1: "Aucun manquement.",
        2: "Manquement mineur régularisable.",
        3: "Manquement réglementaire signalable (ARS, CNIL).",
        4: "Mise en cause pénale ou sanction de l'établissement.",
    }),
    ("financier", "Financier", {
        1: "Perte inférieure à 10 000 €.",
        2: "Perte de 10 000 € à 100 000 €.",
        3: "Perte de 100 000 € à 1 M€.",
        4: "Perte supérieure à 1 M€.",
    }),
    ("image", "Image et confiance", {
        1: "Aucun écho extérieur.",
        2: "Plaintes isolées de patients ou de partenaires.",
        3: "Couverture médiatique locale.",
        4: "Couverture médiatique nationale, perte durable de confiance.",
    }),
    ("organisationnel", "Organisationnel et ressources humaines", {
        1: "Absorbé par l'organisation habituelle.",
        2: "Heures supplémentaires, réorganisation ponctuelle.",
        3: "Épuisement des équipes, renforts nécessaires.",
        4: "Désorganisation durable, personnel en incapacité de travailler.",
    }),
]

DEFAULT_HORIZONS: list[tuple[str, int]] = [
    ("≤ 4 h", 4), ("4 h – 24 h", 24), ("24 h – 72 h", 72), ("72 h – 1 semaine", 168), ("> 1 semaine", 720),
]
