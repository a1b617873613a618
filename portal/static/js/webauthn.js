// Security keys and passkeys (WebAuthn), on the pages that offer them only. A button
// [data-webauthn] asks the portal for options (POST, JSON), hands them to
// navigator.credentials.create() ("register") or .get() ("authenticate"), and posts the answer
// as JSON; the form token goes in the X-CSRFToken header. The portal answers
// {"redirect": url} or {"error": message}; its messages are already translated, and the
// button's data-msg-* attributes hold the page's own for what happens in the browser.
(function () {
  "use strict";

  function toBytes(value) {
    var base64 = value.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) {
      base64 += "=";
    }
    var text = window.atob(base64);
    var bytes = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i += 1) {
      bytes[i] = text.charCodeAt(i);
    }
    return bytes.buffer;
  }

  function toText(buffer) {
    if (!buffer) {
      return null;
    }
    var bytes = new Uint8Array(buffer);
    var text = "";
    for (var i = 0; i < bytes.length; i += 1) {
      text += String.fromCharCode(bytes[i]);
    }
    return window.btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (item) {
      return Object.assign({}, item, { id: toBytes(item.id) });
    });
  }

  function creationOptions(options) {
    return Object.assign({}, options, {
      challenge: toBytes(options.challenge),
      user: Object.assign({}, options.user, { id: toBytes(options.user.id) }),
      excludeCredentials: descriptors(options.excludeCredentials)
    });
  }

  function requestOptions(options) {
    return Object.assign({}, options, {
      challenge: toBytes(options.challenge),
      allowCredentials: descriptors(options.allowCredentials)
    });
  }

  function credentialJSON(credential) {
    var response = credential.response;
    var out = {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || null,
      clientExtensionResults: credential.getClientExtensionResults(),
      response: { clientDataJSON: toText(response.clientDataJSON) }
    };
    if (response.attestationObject) {
      out.response.attestationObject = toText(response.attestationObject);
      out.response.transports = response.getTransports ? response.getTransports() : [];
    } else {
      out.response.authenticatorData = toText(response.authenticatorData);
      out.response.signature = toText(response.signature);
      out.response.userHandle = toText(response.userHandle);
    }
    return out;
  }

  function post(url, token, body) {
    return window.fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRFToken": token
      },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () {
        return {};
      });
    });
  }

  function start(button) {
    var form = button.form || button.closest("form");
    var status = document.getElementById(button.getAttribute("aria-describedby") || "");
    var tokenInput = form ? form.querySelector("input[name=csrf_token]") : null;

    function show(message) {
      if (!status) {
        return;
      }
      status.querySelector("[data-webauthn-message]").textContent = message;
      status.hidden = false;
      status.focus();
    }

    function fields() {
      var values = {};
      (button.dataset.fields || "").split(" ").forEach(function (name) {
        var input = name && form ? form.elements.namedItem(name) : null;
        if (input) {
          values[name] = input.value;
        }
      });
      if (button.dataset.next) {
        values.next = button.dataset.next;
      }
      return values;
    }

    button.addEventListener("click", function (event) {
      event.preventDefault();
      if (!window.PublicKeyCredential || !navigator.credentials || !tokenInput) {
        show(button.dataset.msgUnsupported);
        return;
      }
      var token = tokenInput.value;
      var values = fields();
      var registering = button.dataset.webauthn === "register";
      button.disabled = true;
      if (status) {
        status.hidden = true;
      }
      post(button.dataset.optionsUrl, token, values).then(function (options) {
        if (options.error || options.redirect) {
          return options;
        }
        var ceremony = registering
          ? navigator.credentials.create({ publicKey: creationOptions(options) })
          : navigator.credentials.get({ publicKey: requestOptions(options) });
        return ceremony.then(function (credential) {
          return post(button.dataset.verifyUrl, token,
                      Object.assign({ credential: credentialJSON(credential) }, values));
        });
      }).then(function (answer) {
        if (answer.redirect) {
          window.location.assign(answer.redirect);
          return;
        }
        show(answer.error || button.dataset.msgFailed);
        button.disabled = false;
      }).catch(function (error) {
        var name = error && error.name;
        show(name === "NotAllowedError" ? button.dataset.msgCancelled
          : name === "InvalidStateError" ? button.dataset.msgExists
            : button.dataset.msgFailed);
        button.disabled = false;
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var buttons = document.querySelectorAll("button[data-webauthn]");
    for (var i = 0; i < buttons.length; i += 1) {
      start(buttons[i]);
    }
  });
})();
