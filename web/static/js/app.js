/* Progressive enhancement for the chat and kiosk pages. Without it, the forms POST and the
 * server returns the whole page. With it, the same form is posted with the header
 * "X-Fragment: answer" and only the new answer card is added to the live region, newest first,
 * right under the question box and the "Urgent help" box.
 * The conversation (earlier questions for follow-ups) lives only in this script's memory.
 * Print, copy, share and "Was this helpful?" are in answer-actions.js (event "answer-added"). */
(function () {
  "use strict";

  var main = document.getElementById("main");
  var form = document.getElementById("ask-form");
  var conversation = document.getElementById("conversation");
  if (!main || !form || !conversation) { return; }

  var input = document.getElementById("question");
  var status = document.getElementById("status");
  var errorBox = document.getElementById("question-error");
  var start = document.getElementById("start");
  var maxHistory = 5;
  var asked = Array.prototype.map.call(form.querySelectorAll('input[name="history"]'), function (el) {
    return el.value;
  });
  var cardCount = conversation.querySelectorAll(".card").length;
  var busy = false;
  var generation = 0; /* bumped by a kiosk wipe: late answers for the last person are dropped */

  document.addEventListener("submit", function (event) {
    var target = event.target;
    if (!target.classList || !target.classList.contains("ask-form")) { return; }
    event.preventDefault();
    var submitter = event.submitter;
    var question = submitter && submitter.name === "question" ? submitter.value : input.value;
    ask(question.trim(), target.getAttribute("action").split("#")[0]);
  });

  function ask(question, action) {
    if (!question) { showError("Please type a question first."); input.focus(); return; }
    if (busy) { return; }
    busy = true;
    showError("");
    status.textContent = "Looking for evidence…";
    var body = new URLSearchParams();
    body.append("question", question);
    asked.forEach(function (q) { body.append("history", q); });
    body.append("card", String(cardCount + 1));
    var asking = generation;
    fetch(action, {
      method: "POST", body: body, cache: "no-store", credentials: "same-origin",
      headers: { "X-Fragment": "answer" }
    }).then(function (response) {
      return response.text().then(function (html) { return { ok: response.ok, html: html }; });
    }).then(function (result) {
      if (asking !== generation) { return; }
      if (result.ok) { addCard(result.html, question); } else { showServerError(result.html); }
    }).catch(function () {
      if (asking === generation) { showError("Sorry, the answer could not be loaded. Please try again."); }
    }).then(function () { if (asking === generation) { busy = false; } });
  }

  function addCard(html, question) {
    conversation.insertAdjacentHTML("afterbegin", html);
    cardCount += 1;
    asked.push(question);
    if (asked.length > maxHistory) { asked.shift(); }
    if (start) { start.hidden = true; }
    input.value = "";
    status.textContent = "Answer ready.";
    var card = conversation.firstElementChild;
    enableReadAloud(card);
    card.dispatchEvent(new CustomEvent("answer-added", { bubbles: true }));
    showNewAnswer(card);
  }

  /* The new answer sits right under the question box and the "Urgent help" box. If its start is
   * out of view (asked from a follow-up further down), bring the three into view together; on a
   * short screen (high zoom) where they cannot all fit, show the answer itself and focus it. */
  function showNewAnswer(card) {
    var room = window.innerHeight - 120;
    var top = card.getBoundingClientRect().top;
    if (top >= 0 && top <= room) {
      input.focus({ preventScroll: true });
    } else if (top - form.getBoundingClientRect().top <= room) {
      form.scrollIntoView({ block: "start" });
      input.focus({ preventScroll: true });
    } else {
      card.scrollIntoView({ block: "start" });
      card.focus({ preventScroll: true });
    }
  }

  function showServerError(html) {
    var holder = document.createElement("div");
    holder.innerHTML = html;
    showError(holder.textContent.trim() || "Sorry, something went wrong. Please try again.");
  }

  function showError(message) {
    status.textContent = "";
    errorBox.textContent = message;
    errorBox.hidden = !message;
    if (message) { input.setAttribute("aria-invalid", "true"); } else { input.removeAttribute("aria-invalid"); }
  }

  /* Read aloud, where the browser has speech synthesis; the buttons stay hidden otherwise. */
  var speech = "speechSynthesis" in window && "SpeechSynthesisUtterance" in window ? window.speechSynthesis : null;

  function enableReadAloud(root) {
    if (!speech) { return; }
    Array.prototype.forEach.call(root.querySelectorAll(".read-aloud"), function (button) { button.hidden = false; });
  }

  function stopReading() {
    if (!speech) { return; }
    speech.cancel();
    Array.prototype.forEach.call(document.querySelectorAll(".read-aloud"), function (button) {
      button.setAttribute("aria-pressed", "false");
      button.textContent = "Read aloud";
    });
  }

  conversation.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".read-aloud");
    if (!button || !speech) { return; }
    var wasReading = button.getAttribute("aria-pressed") === "true";
    stopReading();
    if (wasReading) { return; }
    var card = button.closest(".card");
    /* Only the answer: never the question (on a kiosk the whole waiting room would hear it). */
    var parts = Array.prototype.map.call(card.querySelectorAll(".speakable"), function (el) {
      return el.textContent.replace(/\[\d+\]/g, " ").replace(/\s+/g, " ").trim();
    });
    var utterance = new window.SpeechSynthesisUtterance(parts.join(". "));
    utterance.lang = document.documentElement.lang || "en";
    utterance.onend = stopReading;
    button.setAttribute("aria-pressed", "true");
    button.textContent = "Stop reading";
    speech.speak(utterance);
  });

  enableReadAloud(conversation);

  /* Kiosk: "Start over" and the idle warning both wipe everything of the last person. */
  if (!main.hasAttribute("data-kiosk")) { return; }

  function wipe() {
    generation += 1;
    busy = false;
    stopReading();
    conversation.innerHTML = "";
    form.reset();
    input.value = "";
    input.removeAttribute("value");
    Array.prototype.forEach.call(form.querySelectorAll('input[name="history"]'), function (el) { el.remove(); });
    asked = [];
    cardCount = 0;
    showError("");
    status.textContent = "";
    if (start) { start.hidden = false; }
    try { window.sessionStorage.clear(); window.localStorage.clear(); } catch (ignored) { /* storage off */ }
    window.history.replaceState(null, "", main.getAttribute("data-start-url") || window.location.pathname);
    window.scrollTo(0, 0);
    document.getElementById("page-heading").focus();
  }

  var startOver = document.getElementById("start-over");
  startOver.addEventListener("click", function (event) { event.preventDefault(); closeWarning(); wipe(); });

  var idleSeconds = parseInt(main.getAttribute("data-idle-seconds"), 10) || 90;
  var warningSeconds = parseInt(main.getAttribute("data-warning-seconds"), 10) || 30;
  var dialog = document.getElementById("idle-dialog");
  var count = document.getElementById("idle-count");
  var idleTimer = null;
  var tickTimer = null;
  var remaining = 0;

  function somethingToWipe() {
    return conversation.children.length > 0 || input.value !== "" || asked.length > 0;
  }

  function restartIdle() {
    window.clearTimeout(idleTimer);
    idleTimer = window.setTimeout(warn, idleSeconds * 1000);
  }

  function warn() {
    if (!somethingToWipe()) { restartIdle(); return; }
    remaining = warningSeconds;
    count.textContent = String(remaining);
    dialog.showModal();
    document.getElementById("idle-continue").focus();
    tickTimer = window.setInterval(tick, 1000);
  }

  function tick() {
    remaining -= 1;
    count.textContent = String(Math.max(remaining, 0));
    if (remaining <= 0) { closeWarning(); wipe(); restartIdle(); }
  }

  function closeWarning() {
    window.clearInterval(tickTimer);
    if (dialog.open) { dialog.close(); }
  }

  document.getElementById("idle-continue").addEventListener("click", function () {
    closeWarning();
    restartIdle();
  });
  dialog.addEventListener("cancel", function (event) { event.preventDefault(); closeWarning(); restartIdle(); });

  ["pointerdown", "keydown", "input", "wheel", "touchstart", "scroll"].forEach(function (name) {
    document.addEventListener(name, function () { if (!dialog.open) { restartIdle(); } }, { passive: true });
  });
  restartIdle();
}());
