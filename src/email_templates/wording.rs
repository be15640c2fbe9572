//! The words of the link emails Veridesk writes itself, in each language an
//! applicant may have ([`crate::applicants::models::LANGUAGES`]): the
//! create-session form's starting text, and the emails the profile's
//! actions send on their own (a new link, start again, more information,
//! redo part). An applicant reads them in their language, like the link's
//! expiry inside them. What an officer writes, and saved templates, go out
//! as written; the footer under every link email, which Veridesk adds, is in
//! the applicant's language, or in a saved template's when one is used (so
//! an email reads in one language). English stands in for a language not
//! listed.

use crate::flows::definition::StepKind;

/// A subject and a body with `{{placeholders}}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Wording {
    pub subject: &'static str,
    pub body: &'static str,
}

/// What an email Veridesk writes is for.
#[derive(Clone, Copy, Debug)]
pub enum Purpose {
    /// The first link of a verification (the create-session form's text).
    Invitation,
    /// A new link to a verification begun: the applicant goes on where they stopped.
    NewLink,
    /// After a reset: start again from the beginning.
    StartAgain,
    /// A link to an on-demand flow, with the officer's message.
    MoreInformation,
    /// After a rejection for a retry: redo the steps named.
    Redo,
}

/// One language's words.
pub(super) struct Words {
    language: &'static str,
    /// The language's name in English, for officers.
    english_name: &'static str,
    pub(super) invitation: Wording,
    new_link: Wording,
    /// The body of the emails that carry a message (`{{message}}`).
    with_message: &'static str,
    /// The body of a reset's email: its message, then where to start again.
    start_again_body: &'static str,
    start_again_subject: &'static str,
    more_information_subject: &'static str,
    redo_subject: &'static str,
    /// The message of a reset's email.
    start_again: &'static str,
    /// The message of a retry's email, before the steps to redo.
    redo: &'static str,
    /// Between [`Self::redo`] and the steps it names.
    redo_steps_after: &'static str,
    /// The footer under every link email; `{company}` is the company's name.
    sent_on_behalf_of: &'static str,
    /// Each step's name as the applicant reads it, in emails and on the
    /// page behind their link, in [`StepKind::ALL`]'s order.
    steps: [&'static str; 11],
}

pub(super) const ENGLISH: Words = Words {
    language: "en",
    english_name: "English",
    invitation: Wording {
        subject: "Please verify your identity with {{company_name}}",
        body: "Hello {{applicant_name}},\n\n{{company_name}} needs to verify your identity. It takes about five minutes on your phone or computer.\n\nStart here: {{session_url}}\n\nThe link works until {{link_expires_at}}.\n\nThank you.",
    },
    new_link: Wording {
        subject: "Your new verification link from {{company_name}}",
        body: "Hello {{applicant_name}},\n\nHere is a new link to your verification with {{company_name}}. You continue where you stopped; the earlier link no longer works.\n\nContinue here: {{session_url}}\n\nThe link works until {{link_expires_at}}.\n\nThank you.",
    },
    with_message: "Hello {{applicant_name}},\n\n{{message}}\n\nContinue here: {{session_url}}\n\nThe link works until {{link_expires_at}}.\n\nThank you.",
    start_again_body: "Hello {{applicant_name}},\n\n{{message}}\n\nStart here: {{session_url}}\n\nThe link works until {{link_expires_at}}.\n\nThank you.",
    start_again_subject: "Please start your verification with {{company_name}} again",
    more_information_subject: "{{company_name}} needs more information from you",
    redo_subject: "Please redo part of your verification with {{company_name}}",
    start_again: "We need you to start your verification again. Your earlier answers were set aside.",
    redo: "We need you to redo part of your verification",
    redo_steps_after: ": ",
    sent_on_behalf_of: "Sent by Veridesk on behalf of {company}.",
    steps: [
        "Welcome",
        "Identity document",
        "Live selfie",
        "Face comparison",
        "Selfie with your document",
        "Email address",
        "Phone number",
        "Screening",
        "Crypto wallet",
        "A few questions",
        "Finish",
    ],
};

const ALL: [Words; 8] = [
    ENGLISH,
    Words {
        language: "fr",
        english_name: "French",
        invitation: Wording {
            subject: "Veuillez vérifier votre identité auprès de {{company_name}}",
            body: "Bonjour {{applicant_name}},\n\n{{company_name}} doit vérifier votre identité. Cela prend environ cinq minutes sur votre téléphone ou votre ordinateur.\n\nCommencez ici : {{session_url}}\n\nLe lien est valable jusqu'au {{link_expires_at}}.\n\nMerci.",
        },
        new_link: Wording {
            subject: "Votre nouveau lien de vérification de {{company_name}}",
            body: "Bonjour {{applicant_name}},\n\nVoici un nouveau lien pour votre vérification auprès de {{company_name}}. Vous reprendrez là où vous en étiez ; l'ancien lien ne fonctionne plus.\n\nContinuez ici : {{session_url}}\n\nLe lien est valable jusqu'au {{link_expires_at}}.\n\nMerci.",
        },
        with_message: "Bonjour {{applicant_name}},\n\n{{message}}\n\nContinuez ici : {{session_url}}\n\nLe lien est valable jusqu'au {{link_expires_at}}.\n\nMerci.",
        start_again_body: "Bonjour {{applicant_name}},\n\n{{message}}\n\nCommencez ici : {{session_url}}\n\nLe lien est valable jusqu'au {{link_expires_at}}.\n\nMerci.",
        start_again_subject: "Veuillez recommencer votre vérification auprès de {{company_name}}",
        more_information_subject: "{{company_name}} a besoin d'informations complémentaires",
        redo_subject: "Veuillez refaire une partie de votre vérification auprès de {{company_name}}",
        start_again: "Nous vous demandons de recommencer votre vérification. Vos réponses précédentes ne seront pas prises en compte.",
        redo: "Nous vous demandons de refaire une partie de votre vérification",
        redo_steps_after: " : ",
        sent_on_behalf_of: "Envoyé par Veridesk pour le compte de {company}.",
        steps: [
            "Bienvenue",
            "Pièce d'identité",
            "Selfie en direct",
            "Comparaison du visage",
            "Selfie avec votre pièce d'identité",
            "Adresse e-mail",
            "Numéro de téléphone",
            "Contrôle de conformité",
            "Portefeuille crypto",
            "Quelques questions",
            "Fin",
        ],
    },
    Words {
        language: "de",
        english_name: "German",
        invitation: Wording {
            subject: "Bitte bestätigen Sie Ihre Identität bei {{company_name}}",
            body: "Guten Tag {{applicant_name}},\n\n{{company_name}} muss Ihre Identität überprüfen. Das dauert etwa fünf Minuten auf Ihrem Smartphone oder Computer.\n\nHier beginnen: {{session_url}}\n\nDer Link gilt bis zum {{link_expires_at}}.\n\nVielen Dank.",
        },
        new_link: Wording {
            subject: "Ihr neuer Verifizierungslink von {{company_name}}",
            body: "Guten Tag {{applicant_name}},\n\nhier ist ein neuer Link zu Ihrer Verifizierung bei {{company_name}}. Sie machen dort weiter, wo Sie aufgehört haben; der bisherige Link funktioniert nicht mehr.\n\nHier weitermachen: {{session_url}}\n\nDer Link gilt bis zum {{link_expires_at}}.\n\nVielen Dank.",
        },
        with_message: "Guten Tag {{applicant_name}},\n\n{{message}}\n\nHier weitermachen: {{session_url}}\n\nDer Link gilt bis zum {{link_expires_at}}.\n\nVielen Dank.",
        start_again_body: "Guten Tag {{applicant_name}},\n\n{{message}}\n\nHier neu beginnen: {{session_url}}\n\nDer Link gilt bis zum {{link_expires_at}}.\n\nVielen Dank.",
        start_again_subject: "Bitte beginnen Sie Ihre Verifizierung bei {{company_name}} erneut",
        more_information_subject: "{{company_name}} benötigt weitere Angaben von Ihnen",
        redo_subject: "Bitte wiederholen Sie einen Teil Ihrer Verifizierung bei {{company_name}}",
        start_again: "Bitte beginnen Sie Ihre Verifizierung noch einmal von vorn. Ihre bisherigen Angaben werden nicht mehr berücksichtigt.",
        redo: "Bitte wiederholen Sie einen Teil Ihrer Verifizierung",
        redo_steps_after: ": ",
        sent_on_behalf_of: "Gesendet von Veridesk im Auftrag von {company}.",
        steps: [
            "Willkommen",
            "Ausweisdokument",
            "Live-Selfie",
            "Gesichtsabgleich",
            "Selfie mit Ihrem Ausweis",
            "E-Mail-Adresse",
            "Telefonnummer",
            "Compliance-Prüfung",
            "Krypto-Wallet",
            "Einige Fragen",
            "Abschluss",
        ],
    },
    Words {
        language: "es",
        english_name: "Spanish",
        invitation: Wording {
            subject: "Verifique su identidad con {{company_name}}",
            body: "Hola, {{applicant_name}}:\n\n{{company_name}} necesita verificar su identidad. Se tarda unos cinco minutos desde el móvil o el ordenador.\n\nEmpiece aquí: {{session_url}}\n\nEl enlace es válido hasta el {{link_expires_at}}.\n\nGracias.",
        },
        new_link: Wording {
            subject: "Su nuevo enlace de verificación de {{company_name}}",
            body: "Hola, {{applicant_name}}:\n\nLe enviamos un nuevo enlace para su verificación con {{company_name}}. Continuará donde lo dejó; el enlace anterior ya no funciona.\n\nContinúe aquí: {{session_url}}\n\nEl enlace es válido hasta el {{link_expires_at}}.\n\nGracias.",
        },
        with_message: "Hola, {{applicant_name}}:\n\n{{message}}\n\nContinúe aquí: {{session_url}}\n\nEl enlace es válido hasta el {{link_expires_at}}.\n\nGracias.",
        start_again_body: "Hola, {{applicant_name}}:\n\n{{message}}\n\nEmpiece aquí: {{session_url}}\n\nEl enlace es válido hasta el {{link_expires_at}}.\n\nGracias.",
        start_again_subject: "Vuelva a empezar su verificación con {{company_name}}",
        more_information_subject: "{{company_name}} necesita más información",
        redo_subject: "Repita una parte de su verificación con {{company_name}}",
        start_again: "Necesitamos que vuelva a empezar su verificación. Sus respuestas anteriores ya no se tendrán en cuenta.",
        redo: "Necesitamos que repita una parte de su verificación",
        redo_steps_after: ": ",
        sent_on_behalf_of: "Enviado por Veridesk en nombre de {company}.",
        steps: [
            "Bienvenida",
            "Documento de identidad",
            "Selfie en vivo",
            "Comparación facial",
            "Selfie con su documento",
            "Correo electrónico",
            "Número de teléfono",
            "Verificación en listas",
            "Monedero de criptomonedas",
            "Algunas preguntas",
            "Fin",
        ],
    },
    Words {
        language: "it",
        english_name: "Italian",
        invitation: Wording {
            subject: "Verifichi la sua identità con {{company_name}}",
            body: "Gentile {{applicant_name}},\n\n{{company_name}} deve verificare la sua identità. Bastano circa cinque minuti dal telefono o dal computer.\n\nInizi qui: {{session_url}}\n\nScadenza del link: {{link_expires_at}}.\n\nGrazie.",
        },
        new_link: Wording {
            subject: "Il suo nuovo link di verifica da {{company_name}}",
            body: "Gentile {{applicant_name}},\n\necco un nuovo link per la sua verifica con {{company_name}}. Potrà riprendere da dove aveva lasciato; il link precedente non funziona più.\n\nContinui qui: {{session_url}}\n\nScadenza del link: {{link_expires_at}}.\n\nGrazie.",
        },
        with_message: "Gentile {{applicant_name}},\n\n{{message}}\n\nContinui qui: {{session_url}}\n\nScadenza del link: {{link_expires_at}}.\n\nGrazie.",
        start_again_body: "Gentile {{applicant_name}},\n\n{{message}}\n\nRicominci qui: {{session_url}}\n\nScadenza del link: {{link_expires_at}}.\n\nGrazie.",
        start_again_subject: "Ricominci la sua verifica con {{company_name}}",
        more_information_subject: "{{company_name}} ha bisogno di ulteriori informazioni",
        redo_subject: "Ripeta una parte della sua verifica con {{company_name}}",
        start_again: "Le chiediamo di ricominciare la verifica. Le risposte precedenti non saranno più prese in considerazione.",
        redo: "Le chiediamo di ripetere una parte della verifica",
        redo_steps_after: ": ",
        sent_on_behalf_of: "Inviato da Veridesk per conto di {company}.",
        steps: [
            "Benvenuto",
            "Documento d'identità",
            "Selfie dal vivo",
            "Confronto del volto",
            "Selfie con il documento",
            "Indirizzo email",
            "Numero di telefono",
            "Controllo di conformità",
            "Portafoglio crypto",
            "Alcune domande",
            "Fine",
        ],
    },
    Words {
        language: "nl",
        english_name: "Dutch",
        invitation: Wording {
            subject: "Verifieer uw identiteit bij {{company_name}}",
            body: "Beste {{applicant_name}},\n\n{{company_name}} moet uw identiteit verifiëren. Dat duurt ongeveer vijf minuten op uw telefoon of computer.\n\nBegin hier: {{session_url}}\n\nDe link is geldig tot {{link_expires_at}}.\n\nBedankt.",
        },
        new_link: Wording {
            subject: "Uw nieuwe verificatielink van {{company_name}}",
            body: "Beste {{applicant_name}},\n\nHier is een nieuwe link voor uw verificatie bij {{company_name}}. U gaat verder waar u gebleven was; de vorige link werkt niet meer.\n\nGa hier verder: {{session_url}}\n\nDe link is geldig tot {{link_expires_at}}.\n\nBedankt.",
        },
        with_message: "Beste {{applicant_name}},\n\n{{message}}\n\nGa hier verder: {{session_url}}\n\nDe link is geldig tot {{link_expires_at}}.\n\nBedankt.",
        start_again_body: "Beste {{applicant_name}},\n\n{{message}}\n\nBegin hier opnieuw: {{session_url}}\n\nDe link is geldig tot {{link_expires_at}}.\n\nBedankt.",
        start_again_subject: "Begin opnieuw met uw verificatie bij {{company_name}}",
        more_information_subject: "{{company_name}} heeft meer informatie van u nodig",
        redo_subject: "Doe een deel van uw verificatie bij {{company_name}} opnieuw",
        start_again: "We vragen u uw verificatie opnieuw te beginnen. Uw eerdere antwoorden zijn terzijde gelegd.",
        redo: "We vragen u een deel van uw verificatie opnieuw te doen",
        redo_steps_after: ": ",
        sent_on_behalf_of: "Verzonden door Veridesk namens {company}.",
        steps: [
            "Welkom",
            "Identiteitsbewijs",
            "Live selfie",
            "Gezichtsvergelijking",
            "Selfie met uw document",
            "E-mailadres",
            "Telefoonnummer",
            "Screening",
            "Cryptowallet",
            "Een paar vragen",
            "Afronden",
        ],
    },
    Words {
        language: "pt",
        english_name: "Portuguese",
        invitation: Wording {
            subject: "Verifique a sua identidade junto de {{company_name}}",
            body: "Olá, {{applicant_name}},\n\n{{company_name}} precisa de verificar a sua identidade. Demora cerca de cinco minutos no telemóvel ou no computador.\n\nComece aqui: {{session_url}}\n\nO link é válido até {{link_expires_at}}.\n\nObrigado.",
        },
        new_link: Wording {
            subject: "O seu novo link de verificação de {{company_name}}",
            body: "Olá, {{applicant_name}},\n\nAqui está um novo link para a sua verificação junto de {{company_name}}. Continua onde parou; o link anterior já não funciona.\n\nContinue aqui: {{session_url}}\n\nO link é válido até {{link_expires_at}}.\n\nObrigado.",
        },
        with_message: "Olá, {{applicant_name}},\n\n{{message}}\n\nContinue aqui: {{session_url}}\n\nO link é válido até {{link_expires_at}}.\n\nObrigado.",
        start_again_body: "Olá, {{applicant_name}},\n\n{{message}}\n\nRecomece aqui: {{session_url}}\n\nO link é válido até {{link_expires_at}}.\n\nObrigado.",
        start_again_subject: "Recomece a sua verificação junto de {{company_name}}",
        more_information_subject: "{{company_name}} precisa de mais informações",
        redo_subject: "Repita uma parte da sua verificação junto de {{company_name}}",
        start_again: "Precisamos que recomece a sua verificação. As suas respostas anteriores foram postas de parte.",
        redo: "Precisamos que repita uma parte da sua verificação",
        redo_steps_after: ": ",
        sent_on_behalf_of: "Enviado por Veridesk em nome de {company}.",
        steps: [
            "Boas-vindas",
            "Documento de identificação",
            "Selfie ao vivo",
            "Comparação facial",
            "Selfie com o seu documento",
            "Endereço de e-mail",
            "Número de telefone",
            "Controlo de conformidade",
            "Carteira de criptomoedas",
            "Algumas perguntas",
            "Conclusão",
        ],
    },
    Words {
        language: "pl",
        english_name: "Polish",
        invitation: Wording {
            subject: "{{company_name}}: prosimy o weryfikację tożsamości",
            body: "Dzień dobry, {{applicant_name}},\n\n{{company_name}} prosi o weryfikację tożsamości. Zajmie to około pięciu minut na telefonie lub komputerze.\n\nAby rozpocząć, prosimy otworzyć link: {{session_url}}\n\nLink jest ważny do {{link_expires_at}}.\n\nDziękujemy.",
        },
        new_link: Wording {
            subject: "{{company_name}}: nowy link do weryfikacji",
            body: "Dzień dobry, {{applicant_name}},\n\nPrzesyłamy nowy link do weryfikacji prowadzonej przez {{company_name}}. Weryfikację można kontynuować od miejsca, w którym została przerwana; poprzedni link już nie działa.\n\nAby kontynuować, prosimy otworzyć link: {{session_url}}\n\nLink jest ważny do {{link_expires_at}}.\n\nDziękujemy.",
        },
        with_message: "Dzień dobry, {{applicant_name}},\n\n{{message}}\n\nAby kontynuować, prosimy otworzyć link: {{session_url}}\n\nLink jest ważny do {{link_expires_at}}.\n\nDziękujemy.",
        start_again_body: "Dzień dobry, {{applicant_name}},\n\n{{message}}\n\nAby rozpocząć ponownie, prosimy otworzyć link: {{session_url}}\n\nLink jest ważny do {{link_expires_at}}.\n\nDziękujemy.",
        start_again_subject: "{{company_name}}: prosimy o ponowne rozpoczęcie weryfikacji",
        more_information_subject: "{{company_name}} potrzebuje dodatkowych informacji",
        redo_subject: "{{company_name}}: prosimy o powtórzenie części weryfikacji",
        start_again: "Prosimy o ponowne rozpoczęcie weryfikacji. Wcześniejsze odpowiedzi nie będą brane pod uwagę.",
        redo: "Prosimy o powtórzenie części weryfikacji",
        redo_steps_after: ": ",
        sent_on_behalf_of: "Wiadomość wysłana przez Veridesk na zlecenie firmy {company}.",
        steps: [
            "Powitanie",
            "Dokument tożsamości",
            "Selfie na żywo",
            "Porównanie twarzy",
            "Selfie z dokumentem",
            "Adres e-mail",
            "Numer telefonu",
            "Kontrola zgodności",
            "Portfel kryptowalutowy",
            "Kilka pytań",
            "Zakończenie",
        ],
    },
];

/// The words for `language`, or English.
fn words(language: &str) -> &'static Words {
    ALL.iter().find(|w| w.language == language).unwrap_or(&ALL[0])
}

/// The subject and body of an email for `purpose` in `language`. The
/// bodies of [`Purpose::StartAgain`], [`Purpose::MoreInformation`] and
/// [`Purpose::Redo`] carry `{{message}}`.
pub fn wording(purpose: Purpose, language: &str) -> Wording {
    let w = words(language);
    match purpose {
        Purpose::Invitation => w.invitation,
        Purpose::NewLink => w.new_link,
        Purpose::StartAgain => Wording {
            subject: w.start_again_subject,
            body: w.start_again_body,
        },
        Purpose::MoreInformation => Wording {
            subject: w.more_information_subject,
            body: w.with_message,
        },
        Purpose::Redo => Wording {
            subject: w.redo_subject,
            body: w.with_message,
        },
    }
}

/// Whether `subject` and `body` are the invitation's starting text in some
/// language: the officer has not written their own, so a chosen template
/// replaces them.
pub fn is_invitation_subject(subject: &str) -> bool {
    ALL.iter().any(|w| w.invitation.subject == subject.trim())
}

/// See [`is_invitation_subject`].
pub fn is_invitation_body(body: &str) -> bool {
    let body = body.replace("\r\n", "\n");
    ALL.iter().any(|w| w.invitation.body == body.trim())
}

/// A reset's message to the applicant.
pub fn start_again(language: &str) -> &'static str {
    words(language).start_again
}

/// A retry's message to the applicant, naming the `steps` to redo.
pub fn redo(language: &str, steps: &[StepKind]) -> String {
    let w = words(language);
    if steps.is_empty() {
        return format!("{}.", w.redo);
    }
    let names: Vec<&str> = steps.iter().map(|s| step_name(*s, language)).collect();
    format!("{}{}{}.", w.redo, w.redo_steps_after, names.join(", "))
}

/// A step's name as the applicant reads it, in `language`.
pub fn step_name(step: StepKind, language: &str) -> &'static str {
    let at = StepKind::ALL.iter().position(|k| *k == step).unwrap_or_default();
    words(language).steps[at]
}

/// The footer under a link email, naming the company it is sent for.
pub fn sent_on_behalf_of(language: &str, company: &str) -> String {
    words(language).sent_on_behalf_of.replace("{company}", company)
}

/// The language of the words [`wording`] gives for `language`, as an
/// English-speaking officer and the applicant both read it: "German
/// (Deutsch)", or "English".
pub fn language_name(language: &str) -> String {
    let w = words(language);
    match crate::applicants::models::LANGUAGES
        .iter()
        .find(|(code, _)| *code == w.language)
    {
        Some((_, native)) if *native != w.english_name => format!("{} ({native})", w.english_name),
        _ => w.english_name.to_string(),
    }
}

/// The language of the words [`wording`] gives for `language` (its own, or
/// English), for the email's `lang` attribute.
pub fn language_of(language: &str) -> &'static str {
    words(language).language
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email_templates::placeholders::problems;

    #[test]
    fn every_language_of_an_applicant_has_words() {
        for (code, _) in crate::applicants::models::LANGUAGES {
            assert_eq!(words(code).language, code, "{code}");
        }
        assert_eq!(words("xx").language, "en");
    }

    #[test]
    fn every_wording_is_a_valid_link_email() {
        for w in &ALL {
            for purpose in [
                Purpose::Invitation,
                Purpose::NewLink,
                Purpose::StartAgain,
                Purpose::MoreInformation,
                Purpose::Redo,
            ] {
                let Wording { subject, body } = wording(purpose, w.language);
                // `{{message}}` is ours alone: officers' templates cannot use it.
                let officers = body.replace("{{message}}", "");
                assert!(problems(subject, &officers).is_empty(), "{} {purpose:?}", w.language);
                assert!(body.contains("{{link_expires_at}}"), "{} {purpose:?}", w.language);
            }
            assert!(w.sent_on_behalf_of.contains("{company}"), "{}", w.language);
        }
    }

    #[test]
    fn a_retry_names_its_steps_in_the_applicants_language() {
        let steps = [StepKind::DocumentCheck, StepKind::Liveness];
        assert_eq!(
            redo("fr", &steps),
            "Nous vous demandons de refaire une partie de votre vérification : Pièce d'identité, Selfie en direct."
        );
        assert_eq!(redo("de", &[]), "Bitte wiederholen Sie einen Teil Ihrer Verifizierung.");
    }

    #[test]
    fn the_starting_text_is_recognised_in_any_language() {
        let de = wording(Purpose::Invitation, "de");
        assert!(is_invitation_subject(de.subject) && is_invitation_body(&de.body.replace('\n', "\r\n")));
        assert!(!is_invitation_body("Hello, {{session_url}}"));
    }
}
