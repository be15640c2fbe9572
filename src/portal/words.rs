//! The words of the pages behind a link, in each language an applicant may
//! have ([`crate::applicants::models::LANGUAGES`]), as their emails are
//! (see [`crate::email_templates::wording`], which also names the steps).
//! English stands in for a language not listed, and for a link we cannot
//! find, whose applicant we do not know.
//!
//! What the company writes (the flow's name and welcome text, an officer's
//! message) shows as written.

use crate::flows::definition::StepKind;

/// One language's words. `{company}`, `{time}` and `{expiry}` are filled in
/// by the page.
pub struct PortalWords {
    /// The language's code, for `<html lang>`.
    pub lang: &'static str,
    /// "Identity verification for {company}. Your data stays with {company}."
    pub footer: &'static str,
    /// Before the company's contact address in the footer.
    pub questions: &'static str,
    /// Before the contact address on a page that says to ask for a link.
    pub write_to: &'static str,
    pub time_left: &'static str,
    pub welcome_back: &'static str,
    /// Above an officer's message: "A message from {company}".
    pub message_from: &'static str,
    pub what_we_ask: &'static str,
    pub done: &'static str,
    pub nothing_more: &'static str,
    pub keep_open: &'static str,
    /// Before the start: "{time}" is shown in bold.
    pub once_you_start: &'static str,
    pub start: &'static str,
    /// A session time: under a minute, one minute, `{n}` minutes.
    pub minutes: [&'static str; 3],
    /// Said to screen readers as the time runs low: one minute, `{n}` minutes.
    pub minutes_left: [&'static str; 2],
    /// What each step asks, in [`StepKind::ALL`]'s order.
    pub to_do: [&'static str; 11],
    pub done_title: &'static str,
    pub done_message: &'static str,
    pub replaced_title: &'static str,
    pub replaced_message: &'static str,
    pub decided_title: &'static str,
    pub decided_message: &'static str,
    pub withdrawn_title: &'static str,
    pub withdrawn_message: &'static str,
    pub blocked_title: &'static str,
    pub blocked_message: &'static str,
    pub session_over_title: &'static str,
    pub session_over_message: &'static str,
    pub expired_title: &'static str,
    pub expired_message: &'static str,
    pub not_found_title: &'static str,
    pub not_found_message: &'static str,
}

impl PortalWords {
    /// What `step` asks of the applicant.
    pub fn to_do(&self, step: StepKind) -> &'static str {
        let at = StepKind::ALL.iter().position(|k| *k == step).unwrap_or_default();
        self.to_do[at]
    }

    /// A session time of `minutes`.
    pub fn minutes(&self, minutes: i64) -> String {
        match minutes {
            ..=0 => self.minutes[0].to_string(),
            1 => self.minutes[1].to_string(),
            n => self.minutes[2].replace("{n}", &n.to_string()),
        }
    }
}

/// The words for `language`, English when it has none.
pub fn for_language(language: &str) -> &'static PortalWords {
    ALL.iter().find(|w| w.lang == language).unwrap_or(&ALL[0])
}

/// English.
pub fn english() -> &'static PortalWords {
    &ALL[0]
}

static ALL: [PortalWords; 8] = [
    PortalWords {
        lang: "en",
        footer: "Identity verification for {company}. Your data stays with {company}.",
        questions: "Questions:",
        write_to: "Write to",
        time_left: "Time left:",
        welcome_back: "Welcome back: you can continue where you left off.",
        message_from: "A message from {company}",
        what_we_ask: "Here is what we will ask you to do:",
        done: "Done",
        nothing_more: "Nothing more to do here.",
        keep_open: "Keep this page open until you finish. If the time runs out, ask for a new link.",
        once_you_start: "Once you start, you have {time} to finish. Start when you are ready: this link works until {expiry}.",
        start: "Start",
        minutes: ["less than a minute", "1 minute", "{n} minutes"],
        minutes_left: ["One minute left.", "{n} minutes left."],
        to_do: [
            "Read the welcome text and accept the privacy policy and terms.",
            "Upload or photograph an identity document.",
            "Take a live selfie in your browser.",
            "Nothing to do: this is checked for you.",
            "Take a photo of yourself holding your identity document.",
            "Confirm your email address with a code we send you.",
            "Confirm your phone number with a code we send by SMS.",
            "Nothing to do: this is checked for you.",
            "Give the address of your crypto wallet.",
            "Answer a few questions.",
            "See what happens next.",
        ],
        done_title: "You are done",
        done_message: "You have completed this verification. You can close this page.",
        replaced_title: "This link was replaced",
        replaced_message: "A newer link replaced this one. Use the most recent link {company} gave you, or ask {company} for a new one.",
        decided_title: "This verification is closed",
        decided_message: "{company} has finished reviewing your verification; there is nothing more to do here.",
        withdrawn_title: "This link was withdrawn",
        withdrawn_message: "{company} withdrew this link. If you still need to verify, ask {company} for a new link.",
        blocked_title: "This link is blocked",
        blocked_message: "There were too many failed attempts. Ask {company} for a new link.",
        session_over_title: "Your session time ran out",
        session_over_message: "The time to complete this verification has passed. Ask {company} for a new link.",
        expired_title: "This link has expired",
        expired_message: "The link is no longer valid. Ask {company} for a new link.",
        not_found_title: "This link is not valid",
        not_found_message: "Check that you opened the whole link from your email, or ask for a new one.",
    },
    PortalWords {
        lang: "fr",
        footer: "Vérification d'identité pour {company}. Vos données restent chez {company}.",
        questions: "Questions :",
        write_to: "Écrivez à",
        time_left: "Temps restant :",
        welcome_back: "Bon retour : vous pouvez reprendre là où vous en étiez.",
        message_from: "Un message de {company}",
        what_we_ask: "Voici ce que nous allons vous demander :",
        done: "Terminé",
        nothing_more: "Plus rien à faire ici.",
        keep_open: "Gardez cette page ouverte jusqu'à la fin. Si le temps est écoulé, demandez un nouveau lien.",
        once_you_start: "Une fois la session commencée, vous aurez {time} pour terminer. Commencez quand vous êtes prêt : ce lien est valable jusqu'au {expiry}.",
        start: "Commencer",
        minutes: ["moins d'une minute", "1 minute", "{n} minutes"],
        minutes_left: ["Plus qu'une minute.", "Plus que {n} minutes."],
        to_do: [
            "Lisez le texte de bienvenue et acceptez la politique de confidentialité et les conditions.",
            "Téléversez ou photographiez une pièce d'identité.",
            "Prenez un selfie en direct dans votre navigateur.",
            "Rien à faire : c'est vérifié pour vous.",
            "Prenez une photo de vous tenant votre pièce d'identité.",
            "Confirmez votre adresse e-mail avec un code que nous vous envoyons.",
            "Confirmez votre numéro de téléphone avec un code envoyé par SMS.",
            "Rien à faire : c'est vérifié pour vous.",
            "Indiquez l'adresse de votre portefeuille crypto.",
            "Répondez à quelques questions.",
            "Découvrez la suite.",
        ],
        done_title: "C'est terminé",
        done_message: "Vous avez terminé cette vérification. Vous pouvez fermer cette page.",
        replaced_title: "Ce lien a été remplacé",
        replaced_message: "Un lien plus récent a remplacé celui-ci. Utilisez le dernier lien que {company} vous a envoyé, ou demandez-en un nouveau à {company}.",
        decided_title: "Cette vérification est close",
        decided_message: "{company} a terminé l'examen de votre vérification ; il n'y a plus rien à faire ici.",
        withdrawn_title: "Ce lien a été retiré",
        withdrawn_message: "{company} a retiré ce lien. Si vous devez encore vous faire vérifier, demandez un nouveau lien à {company}.",
        blocked_title: "Ce lien est bloqué",
        blocked_message: "Il y a eu trop de tentatives infructueuses. Demandez un nouveau lien à {company}.",
        session_over_title: "Le temps de votre session est écoulé",
        session_over_message: "Le délai pour terminer cette vérification est dépassé. Demandez un nouveau lien à {company}.",
        expired_title: "Ce lien a expiré",
        expired_message: "Ce lien n'est plus valable. Demandez un nouveau lien à {company}.",
        not_found_title: "Ce lien n'est pas valable",
        not_found_message: "Vérifiez que vous avez ouvert le lien complet de votre e-mail, ou demandez-en un nouveau.",
    },
    PortalWords {
        lang: "de",
        footer: "Identitätsprüfung für {company}. Ihre Daten bleiben bei {company}.",
        questions: "Fragen:",
        write_to: "Schreiben Sie an",
        time_left: "Verbleibende Zeit:",
        welcome_back: "Willkommen zurück: Sie können dort weitermachen, wo Sie aufgehört haben.",
        message_from: "Eine Nachricht von {company}",
        what_we_ask: "Darum bitten wir Sie:",
        done: "Erledigt",
        nothing_more: "Hier ist nichts mehr zu tun.",
        keep_open: "Lassen Sie diese Seite geöffnet, bis Sie fertig sind. Wenn die Zeit abläuft, bitten Sie um einen neuen Link.",
        once_you_start: "Sobald Sie beginnen, haben Sie {time}, um fertig zu werden. Beginnen Sie, wenn Sie bereit sind: Dieser Link gilt bis zum {expiry}.",
        start: "Beginnen",
        minutes: ["weniger als eine Minute", "1 Minute", "{n} Minuten"],
        minutes_left: ["Noch eine Minute.", "Noch {n} Minuten."],
        to_do: [
            "Lesen Sie den Begrüßungstext und akzeptieren Sie die Datenschutzerklärung und die Bedingungen.",
            "Laden Sie ein Ausweisdokument hoch oder fotografieren Sie es.",
            "Machen Sie ein Live-Selfie in Ihrem Browser.",
            "Nichts zu tun: Das wird für Sie geprüft.",
            "Machen Sie ein Foto von sich mit Ihrem Ausweisdokument in der Hand.",
            "Bestätigen Sie Ihre E-Mail-Adresse mit einem Code, den wir Ihnen senden.",
            "Bestätigen Sie Ihre Telefonnummer mit einem Code, den wir per SMS senden.",
            "Nichts zu tun: Das wird für Sie geprüft.",
            "Geben Sie die Adresse Ihrer Krypto-Wallet an.",
            "Beantworten Sie ein paar Fragen.",
            "Erfahren Sie, wie es weitergeht.",
        ],
        done_title: "Sie sind fertig",
        done_message: "Sie haben diese Prüfung abgeschlossen. Sie können diese Seite schließen.",
        replaced_title: "Dieser Link wurde ersetzt",
        replaced_message: "Ein neuerer Link hat diesen ersetzt. Verwenden Sie den neuesten Link von {company}, oder bitten Sie {company} um einen neuen.",
        decided_title: "Diese Prüfung ist abgeschlossen",
        decided_message: "{company} hat die Prüfung abgeschlossen; hier ist nichts mehr zu tun.",
        withdrawn_title: "Dieser Link wurde zurückgezogen",
        withdrawn_message: "{company} hat diesen Link zurückgezogen. Wenn Sie sich noch verifizieren müssen, bitten Sie {company} um einen neuen Link.",
        blocked_title: "Dieser Link ist gesperrt",
        blocked_message: "Es gab zu viele fehlgeschlagene Versuche. Bitten Sie {company} um einen neuen Link.",
        session_over_title: "Ihre Sitzungszeit ist abgelaufen",
        session_over_message: "Die Zeit für diese Prüfung ist abgelaufen. Bitten Sie {company} um einen neuen Link.",
        expired_title: "Dieser Link ist abgelaufen",
        expired_message: "Der Link ist nicht mehr gültig. Bitten Sie {company} um einen neuen Link.",
        not_found_title: "Dieser Link ist ungültig",
        not_found_message: "Prüfen Sie, ob Sie den ganzen Link aus Ihrer E-Mail geöffnet haben, oder bitten Sie um einen neuen.",
    },
    PortalWords {
        lang: "es",
        footer: "Verificación de identidad para {company}. Sus datos se quedan en {company}.",
        questions: "Preguntas:",
        write_to: "Escriba a",
        time_left: "Tiempo restante:",
        welcome_back: "Bienvenido de nuevo: puede continuar donde lo dejó.",
        message_from: "Un mensaje de {company}",
        what_we_ask: "Esto es lo que le pediremos:",
        done: "Hecho",
        nothing_more: "No queda nada por hacer aquí.",
        keep_open: "Mantenga esta página abierta hasta terminar. Si se acaba el tiempo, pida un enlace nuevo.",
        once_you_start: "Una vez que empiece, tendrá {time} para terminar. Empiece cuando esté listo: este enlace es válido hasta el {expiry}.",
        start: "Empezar",
        minutes: ["menos de un minuto", "1 minuto", "{n} minutos"],
        minutes_left: ["Queda un minuto.", "Quedan {n} minutos."],
        to_do: [
            "Lea el texto de bienvenida y acepte la política de privacidad y las condiciones.",
            "Suba o fotografíe un documento de identidad.",
            "Hágase un selfie en vivo en su navegador.",
            "Nada que hacer: lo comprobamos por usted.",
            "Hágase una foto sosteniendo su documento de identidad.",
            "Confirme su dirección de correo con un código que le enviamos.",
            "Confirme su número de teléfono con un código que enviamos por SMS.",
            "Nada que hacer: lo comprobamos por usted.",
            "Indique la dirección de su monedero de criptomonedas.",
            "Responda a unas preguntas.",
            "Vea qué pasa a continuación.",
        ],
        done_title: "Ha terminado",
        done_message: "Ha completado esta verificación. Puede cerrar esta página.",
        replaced_title: "Este enlace fue sustituido",
        replaced_message: "Un enlace más reciente sustituyó a este. Use el último enlace que le dio {company}, o pida uno nuevo a {company}.",
        decided_title: "Esta verificación está cerrada",
        decided_message: "{company} ha terminado de revisar su verificación; no queda nada por hacer aquí.",
        withdrawn_title: "Este enlace fue retirado",
        withdrawn_message: "{company} retiró este enlace. Si todavía necesita verificarse, pida un enlace nuevo a {company}.",
        blocked_title: "Este enlace está bloqueado",
        blocked_message: "Hubo demasiados intentos fallidos. Pida un enlace nuevo a {company}.",
        session_over_title: "Se acabó el tiempo de su sesión",
        session_over_message: "El plazo para completar esta verificación ha pasado. Pida un enlace nuevo a {company}.",
        expired_title: "Este enlace ha caducado",
        expired_message: "El enlace ya no es válido. Pida un enlace nuevo a {company}.",
        not_found_title: "Este enlace no es válido",
        not_found_message: "Compruebe que abrió el enlace completo de su correo, o pida uno nuevo.",
    },
    PortalWords {
        lang: "it",
        footer: "Verifica dell'identità per {company}. I suoi dati restano presso {company}.",
        questions: "Domande:",
        write_to: "Scriva a",
        time_left: "Tempo rimasto:",
        welcome_back: "Bentornato: può riprendere da dove aveva lasciato.",
        message_from: "Un messaggio di {company}",
        what_we_ask: "Ecco che cosa le chiederemo di fare:",
        done: "Fatto",
        nothing_more: "Qui non c'è altro da fare.",
        keep_open: "Tenga aperta questa pagina finché non ha finito. Se il tempo scade, chieda un nuovo link.",
        once_you_start: "Una volta iniziato, avrà {time} per finire. Inizi quando è pronto. Scadenza del link: {expiry}.",
        start: "Inizi",
        minutes: ["meno di un minuto", "1 minuto", "{n} minuti"],
        minutes_left: ["Manca un minuto.", "Mancano {n} minuti."],
        to_do: [
            "Legga il testo di benvenuto e accetti l'informativa sulla privacy e le condizioni.",
            "Carichi o fotografi un documento d'identità.",
            "Scatti un selfie dal vivo nel browser.",
            "Niente da fare: lo verifichiamo noi.",
            "Scatti una foto di sé mentre tiene in mano il documento d'identità.",
            "Confermi il suo indirizzo email con un codice che le inviamo.",
            "Confermi il suo numero di telefono con un codice inviato via SMS.",
            "Niente da fare: lo verifichiamo noi.",
            "Indichi l'indirizzo del suo portafoglio crypto.",
            "Risponda ad alcune domande.",
            "Scopra che cosa succede dopo.",
        ],
        done_title: "Ha terminato",
        done_message: "Ha completato questa verifica. Può chiudere questa pagina.",
        replaced_title: "Questo link è stato sostituito",
        replaced_message: "Un link più recente ha sostituito questo. Usi l'ultimo link ricevuto da {company}, oppure ne chieda uno nuovo a {company}.",
        decided_title: "Questa verifica è chiusa",
        decided_message: "{company} ha terminato l'esame della sua verifica; qui non c'è altro da fare.",
        withdrawn_title: "Questo link è stato ritirato",
        withdrawn_message: "{company} ha ritirato questo link. Se deve ancora completare la verifica, chieda un nuovo link a {company}.",
        blocked_title: "Questo link è bloccato",
        blocked_message: "Ci sono stati troppi tentativi non riusciti. Chieda un nuovo link a {company}.",
        session_over_title: "Il tempo della sessione è scaduto",
        session_over_message: "Il tempo per completare questa verifica è passato. Chieda un nuovo link a {company}.",
        expired_title: "Questo link è scaduto",
        expired_message: "Il link non è più valido. Chieda un nuovo link a {company}.",
        not_found_title: "Questo link non è valido",
        not_found_message: "Controlli di aver aperto il link completo dalla sua email, oppure ne chieda uno nuovo.",
    },
    PortalWords {
        lang: "nl",
        footer: "Identiteitsverificatie voor {company}. Uw gegevens blijven bij {company}.",
        questions: "Vragen:",
        write_to: "Schrijf naar",
        time_left: "Resterende tijd:",
        welcome_back: "Welkom terug: u kunt verdergaan waar u was gebleven.",
        message_from: "Een bericht van {company}",
        what_we_ask: "Dit vragen we van u:",
        done: "Klaar",
        nothing_more: "Hier hoeft u niets meer te doen.",
        keep_open: "Houd deze pagina open tot u klaar bent. Is de tijd om, vraag dan een nieuwe link.",
        once_you_start: "Zodra u begint, heeft u {time} om af te ronden. Begin wanneer u klaar bent: deze link werkt tot {expiry}.",
        start: "Beginnen",
        minutes: ["minder dan een minuut", "1 minuut", "{n} minuten"],
        minutes_left: ["Nog één minuut.", "Nog {n} minuten."],
        to_do: [
            "Lees de welkomsttekst en ga akkoord met het privacybeleid en de voorwaarden.",
            "Upload of fotografeer een identiteitsbewijs.",
            "Maak een live selfie in uw browser.",
            "Niets te doen: dit wordt voor u gecontroleerd.",
            "Maak een foto van uzelf met uw identiteitsbewijs in de hand.",
            "Bevestig uw e-mailadres met een code die we u sturen.",
            "Bevestig uw telefoonnummer met een code die we per sms sturen.",
            "Niets te doen: dit wordt voor u gecontroleerd.",
            "Geef het adres van uw cryptowallet op.",
            "Beantwoord een paar vragen.",
            "Bekijk wat er nu gebeurt.",
        ],
        done_title: "U bent klaar",
        done_message: "U heeft deze verificatie afgerond. U kunt deze pagina sluiten.",
        replaced_title: "Deze link is vervangen",
        replaced_message: "Een nieuwere link heeft deze vervangen. Gebruik de nieuwste link die u van {company} kreeg, of vraag {company} om een nieuwe.",
        decided_title: "Deze verificatie is afgesloten",
        decided_message: "{company} heeft uw verificatie beoordeeld; hier hoeft u niets meer te doen.",
        withdrawn_title: "Deze link is ingetrokken",
        withdrawn_message: "{company} heeft deze link ingetrokken. Moet u nog geverifieerd worden, vraag {company} dan om een nieuwe link.",
        blocked_title: "Deze link is geblokkeerd",
        blocked_message: "Er waren te veel mislukte pogingen. Vraag {company} om een nieuwe link.",
        session_over_title: "Uw sessietijd is om",
        session_over_message: "De tijd om deze verificatie af te ronden is voorbij. Vraag {company} om een nieuwe link.",
        expired_title: "Deze link is verlopen",
        expired_message: "De link is niet meer geldig. Vraag {company} om een nieuwe link.",
        not_found_title: "Deze link is ongeldig",
        not_found_message: "Controleer of u de hele link uit uw e-mail heeft geopend, of vraag om een nieuwe.",
    },
    PortalWords {
        lang: "pt",
        footer: "Verificação de identidade para {company}. Os seus dados ficam com {company}.",
        questions: "Dúvidas:",
        write_to: "Escreva para",
        time_left: "Tempo restante:",
        welcome_back: "Bem-vindo de volta: pode continuar onde parou.",
        message_from: "Uma mensagem de {company}",
        what_we_ask: "Eis o que lhe vamos pedir:",
        done: "Concluído",
        nothing_more: "Não há mais nada a fazer aqui.",
        keep_open: "Mantenha esta página aberta até terminar. Se o tempo acabar, peça um novo link.",
        once_you_start: "Depois de começar, tem {time} para terminar. Comece quando estiver pronto: este link é válido até {expiry}.",
        start: "Começar",
        minutes: ["menos de um minuto", "1 minuto", "{n} minutos"],
        minutes_left: ["Falta um minuto.", "Faltam {n} minutos."],
        to_do: [
            "Leia o texto de boas-vindas e aceite a política de privacidade e os termos.",
            "Carregue ou fotografe um documento de identificação.",
            "Tire uma selfie ao vivo no seu navegador.",
            "Nada a fazer: verificamos isto por si.",
            "Tire uma foto sua a segurar o seu documento de identificação.",
            "Confirme o seu endereço de email com um código que lhe enviamos.",
            "Confirme o seu número de telefone com um código enviado por SMS.",
            "Nada a fazer: verificamos isto por si.",
            "Indique o endereço da sua carteira de criptomoedas.",
            "Responda a algumas perguntas.",
            "Veja o que acontece a seguir.",
        ],
        done_title: "Terminou",
        done_message: "Concluiu esta verificação. Pode fechar esta página.",
        replaced_title: "Este link foi substituído",
        replaced_message: "Um link mais recente substituiu este. Use o último link que {company} lhe deu, ou peça um novo a {company}.",
        decided_title: "Esta verificação está encerrada",
        decided_message: "{company} terminou de analisar a sua verificação; não há mais nada a fazer aqui.",
        withdrawn_title: "Este link foi retirado",
        withdrawn_message: "{company} retirou este link. Se ainda precisar de se verificar, peça um novo link a {company}.",
        blocked_title: "Este link está bloqueado",
        blocked_message: "Houve demasiadas tentativas falhadas. Peça um novo link a {company}.",
        session_over_title: "O tempo da sua sessão acabou",
        session_over_message: "O prazo para concluir esta verificação passou. Peça um novo link a {company}.",
        expired_title: "Este link expirou",
        expired_message: "O link já não é válido. Peça um novo link a {company}.",
        not_found_title: "Este link não é válido",
        not_found_message: "Confirme que abriu o link completo do seu email, ou peça um novo.",
    },
    PortalWords {
        lang: "pl",
        footer: "Weryfikacja tożsamości dla firmy {company}. Dane pozostają w firmie {company}.",
        questions: "Pytania:",
        write_to: "Prosimy pisać na adres",
        time_left: "Pozostały czas:",
        welcome_back: "Witamy ponownie: weryfikację można kontynuować od miejsca, w którym została przerwana.",
        message_from: "Wiadomość od firmy {company}",
        what_we_ask: "Oto, o co poprosimy:",
        done: "Gotowe",
        nothing_more: "Nic więcej nie trzeba tu robić.",
        keep_open: "Prosimy nie zamykać tej strony do końca weryfikacji. Jeśli czas się skończy, prosimy poprosić o nowy link.",
        once_you_start: "Po rozpoczęciu na ukończenie jest {time}. Można zacząć w dowolnej chwili: link jest ważny do {expiry}.",
        start: "Rozpocznij",
        minutes: ["mniej niż minuta", "1 minuta", "{n} min"],
        minutes_left: ["Została minuta.", "Zostało {n} min."],
        to_do: [
            "Prosimy przeczytać tekst powitalny i zaakceptować politykę prywatności oraz warunki.",
            "Prosimy przesłać lub sfotografować dokument tożsamości.",
            "Prosimy zrobić selfie na żywo w przeglądarce.",
            "Nic do zrobienia: sprawdzimy to sami.",
            "Prosimy zrobić zdjęcie z dokumentem tożsamości w ręku.",
            "Prosimy potwierdzić adres e-mail kodem, który wyślemy.",
            "Prosimy potwierdzić numer telefonu kodem, który wyślemy SMS-em.",
            "Nic do zrobienia: sprawdzimy to sami.",
            "Prosimy podać adres portfela kryptowalut.",
            "Prosimy odpowiedzieć na kilka pytań.",
            "Informacja o dalszych krokach.",
        ],
        done_title: "Weryfikacja ukończona",
        done_message: "Weryfikacja została ukończona. Tę stronę można zamknąć.",
        replaced_title: "Ten link został zastąpiony",
        replaced_message: "Nowszy link zastąpił ten. Prosimy użyć najnowszego linku od firmy {company} lub poprosić firmę {company} o nowy.",
        decided_title: "Ta weryfikacja jest zamknięta",
        decided_message: "Firma {company} zakończyła sprawdzanie weryfikacji; nic więcej nie trzeba tu robić.",
        withdrawn_title: "Ten link został wycofany",
        withdrawn_message: "Firma {company} wycofała ten link. Jeśli weryfikacja jest nadal potrzebna, prosimy poprosić firmę {company} o nowy link.",
        blocked_title: "Ten link jest zablokowany",
        blocked_message: "Było zbyt wiele nieudanych prób. Prosimy poprosić firmę {company} o nowy link.",
        session_over_title: "Czas sesji minął",
        session_over_message: "Czas na ukończenie tej weryfikacji minął. Prosimy poprosić firmę {company} o nowy link.",
        expired_title: "Ten link wygasł",
        expired_message: "Link nie jest już ważny. Prosimy poprosić firmę {company} o nowy link.",
        not_found_title: "Ten link jest nieprawidłowy",
        not_found_message: "Prosimy sprawdzić, czy otwarto cały link z wiadomości e-mail, lub poprosić o nowy.",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The placeholders of each text, in order.
    fn placeholders(text: &str) -> Vec<&str> {
        text.match_indices('{')
            .filter_map(|(i, _)| text[i..].find('}').map(|end| &text[i..=i + end]))
            .collect()
    }

    #[test]
    fn every_language_of_an_applicant_has_words_with_the_same_placeholders() {
        let en = english();
        let texts = |w: &PortalWords| {
            let mut all = vec![
                w.footer,
                w.message_from,
                w.once_you_start,
                w.replaced_message,
                w.decided_message,
                w.withdrawn_message,
                w.blocked_message,
                w.session_over_message,
                w.expired_message,
                w.minutes[2],
                w.minutes_left[1],
            ];
            all.extend(w.to_do);
            all
        };
        for (code, _) in crate::applicants::models::LANGUAGES {
            let words = for_language(code);
            assert_eq!(words.lang, code);
            for (mine, english) in texts(words).into_iter().zip(texts(en)) {
                let (mut have, mut want) = (placeholders(mine), placeholders(english));
                have.sort_unstable();
                have.dedup();
                want.sort_unstable();
                want.dedup();
                assert_eq!(have, want, "{code}: {mine}");
            }
        }
        assert_eq!(for_language("xx").lang, "en", "English stands in");
        assert_eq!(
            english().to_do(StepKind::Liveness),
            "Take a live selfie in your browser."
        );
        assert_eq!(
            for_language("nl").to_do(StepKind::FinalScreen),
            "Bekijk wat er nu gebeurt."
        );
    }

    #[test]
    fn session_times_read_in_the_language() {
        assert_eq!(for_language("de").minutes(20), "20 Minuten");
        assert_eq!(for_language("fr").minutes(1), "1 minute");
        assert_eq!(english().minutes(0), "less than a minute");
    }
}
