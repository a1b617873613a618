"""GEN-ENGLISH's detector."""

from __future__ import annotations

import pytest

from portal.rules import language

SAMPLES = {
    "en": "The suspect used the account to send threatening messages to the victim for months.",
    "es": "El sospechoso utilizó la cuenta para enviar mensajes amenazantes a la víctima.",
    "fr": "Le suspect a utilisé le compte pour envoyer des messages menaçants à la victime.",
    "pt": "O suspeito usou a conta para enviar mensagens ameaçadoras à vítima durante meses.",
    "de": "Der Verdächtige nutzte das Konto, um dem Opfer drohende Nachrichten zu senden.",
    "ar": "استخدم المشتبه به الحساب لإرسال رسائل تهديد إلى الضحية لعدة أشهر متتالية دون توقف",
    "ru": "Подозреваемый использовал учетную запись для отправки угрожающих сообщений жертве.",
    "zh": "嫌疑人使用该账户在数月内向受害人发送威胁信息，并要求受害人转账到其控制的银行账户。",
}  # fmt: skip


@pytest.mark.parametrize(("code", "text"), SAMPLES.items())
def test_detects_the_language(code: str, text: str) -> None:
    language.clear_cache()
    assert language.detect(text, min_chars=20, sample_chars=600) == code


def test_short_texts_are_not_judged() -> None:
    assert language.detect("Estafa", min_chars=60, sample_chars=600) is None
    assert language.detect("   ", min_chars=0, sample_chars=600) is None


def test_english_fast_path_and_name() -> None:
    assert language.detect("the " * 40 + "end", min_chars=10, sample_chars=600) == "en"
    assert language.language_name("es") == "Spanish"
    assert language.language_name("xx") == "xx"


def test_detector_is_built_once() -> None:
    assert language.detector() is language.detector()
