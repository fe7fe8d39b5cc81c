"""Spelling-variant pairs: (query as typed, text as indexed). Each must be found."""

RECALL_PAIRS: list[tuple[str, str]] = [
    # Hamza forms of alef, ؤ and ئ
    ("أيت ملول", "ايت ملول"),
    ("ايت ملول", "جماعة أيت ملول"),
    ("إنزكان", "عمالة انزكان"),
    ("آسفي", "اقليم اسفي"),
    ("مسؤول", "المسوول عن المعلومات"),
    ("إعلان", "الاعلان عن الصفقة"),
    ("الرئيس", "كلمة رئيس الجماعة"),
    # Alef maqsura / ya
    ("بنى ملال", "جهة بني ملال خنيفرة"),
    ("مستشفى", "بناء مستشفي اقليمي"),
    # Taa marbuta / ha
    ("الجهة", "مجلس الجهه"),
    ("المنفتحه", "الحكومة المنفتحة"),
    # Diacritics, tatweel
    ("الشَّفَافِيَّة", "مبادئ الشفافية"),
    ("الشفافية", "مبادئ الشَّفَافِيَّة"),
    ("الشفافـــية", "مبادئ الشفافية"),
    ("الميزانية", "مشروع الميزانيـــة"),
    # Arabic-Indic and Persian digits
    ("٢٠٢٤", "دورة أكتوبر 2024"),
    ("2023", "دورة أكتوبر ٢٠٢٣"),
    ("۲۰۲۵", "برنامج 2025"),
    # Presentation forms (PDF extraction)
    ("ﺍﻟﺸﻔﺎﻓﻴﺔ", "تكريس الشفافية"),
    ("الشفافية", "تكريس ﺍﻟﺸﻔﺎﻓﻴﺔ"),
    # Singular / plural, definite article, bound prefixes
    ("شكاية", "معالجة الشكايات"),
    ("الشكايات", "تقديم شكاية"),
    ("معلومة", "الحصول على المعلومات"),
    ("الحكومات", "ورش الحكومة"),
    ("جماعة", "بجماعة أيت ملول"),
    ("الجماعات", "مذكرة للجماعة"),
    ("مواطن", "المواطنون والمواطنات"),
    ("المواطنين", "مواطنون"),
    ("صفقة", "والصفقات العمومية"),
    ("مجلس", "دورة المجلس"),
    ("الاستشارية", "هيئة استشارية"),
    ("قرار", "نشر القرارات"),
    # French: accents, case, elisions, plurals in s and x
    ("Délibération", "deliberation du conseil"),
    ("DELIBERATIONS", "la délibération"),
    ("l'information", "accès aux informations"),
    ("informations", "droit à l’information"),
    ("d'accès", "accès du public"),
    ("régional", "conseils régionaux"),
    ("conseils communaux", "Conseil communal de Fès"),
    ("Marché public", "les marchés publics"),
    ("Fès", "commune de FES"),
    ("Béni-Mellal", "Beni Mellal"),
    ("Laâyoune", "region de laayoune"),
    ("budgets", "le Budget annuel"),
    ("transparence", "TRANSPARENCE"),
    ("élu", "les Élus"),
    ("réunions", "compte rendu de la réunion"),
    ("l'hôpital", "deux hôpitaux"),
]
