/* Print, copy and share an answer, and "Was this helpful?", where the browser can do them.
 * Without this script the buttons stay hidden: the answer's take-home link is a page to print,
 * save or share, and the helpful form posts and comes back with a thank-you page.
 * Nothing here ever copies or shares the question: only the answer, its sources and the
 * take-home link (which holds snippet ids, never a question). */
(function () {
  "use strict";

  var canCopy = Boolean((navigator.clipboard && window.isSecureContext) || document.queryCommandSupported &&
    document.queryCommandSupported("copy"));
  var canShare = typeof navigator.share === "function";

  function each(root, selector, fn) { Array.prototype.forEach.call(root.querySelectorAll(selector), fn); }

  function reveal(root) {
    each(root, ".print-answer, .print-page", function (b) { b.hidden = typeof window.print !== "function"; });
    each(root, ".copy-answer", function (b) { b.hidden = !canCopy; });
    each(root, ".share-answer", function (b) { b.hidden = !canShare; });
  }

  function absolute(path) { return new URL(path, window.location.href).href; }

  function say(card, message) {
    var box = card.querySelector(".action-status");
    if (box) { box.textContent = message; }
  }

  /* The answer as plain text: what it says, how sure, when checked, its sources and help numbers. */
  function answerText(card) {
    var lines = [];
    each(card, ".answer-body, .certainty, .disagree, .note, .checked-line, .reminder", function (el) {
      lines.push(el.innerText.replace(/\[\d+\]/g, "").replace(/[ \t]+/g, " ").trim());
    });
    var sources = card.querySelectorAll(".source-list li");
    if (sources.length) {
      lines.push("Sources:");
      Array.prototype.forEach.call(sources, function (li) {
        var link = li.querySelector("a[href]");
        lines.push(li.value + ". " + li.innerText.replace(/\s+/g, " ").trim() + (link ? " " + link.href : ""));
      });
    }
    var share = card.querySelector(".share-answer");
    if (share) { lines.push("This answer: " + absolute(share.getAttribute("data-share-url"))); }
    var help = card.querySelector(".card-help");
    if (help) { lines.push(help.innerText.replace(/\s+/g, " ").trim()); }
    return lines.filter(Boolean).join("\n\n");
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) { return navigator.clipboard.writeText(text); }
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "visually-hidden";
      document.body.appendChild(area);
      area.select();
      var ok = document.execCommand("copy");
      area.remove();
      if (ok) { resolve(); } else { reject(new Error("copy failed")); }
    });
  }

  function printOne(card) {
    document.body.classList.add("print-one");
    card.classList.add("print-this");
    window.print();
    document.body.classList.remove("print-one");
    card.classList.remove("print-this");
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".print-answer, .copy-answer, .share-answer, .print-page");
    if (!button) { return; }
    var card = button.closest(".card");
    if (button.classList.contains("print-page")) { window.print(); return; }
    if (button.classList.contains("print-answer")) { printOne(card); return; }
    if (button.classList.contains("copy-answer")) {
      copy(answerText(card)).then(function () { say(card, "Copied: the answer, its sources and a link to it."); },
        function () { say(card, "Sorry, this browser would not copy. Use the link to the answer instead."); });
      return;
    }
    navigator.share({ title: "Ketamine for pain: what the research says",
                      url: absolute(button.getAttribute("data-share-url")) })
      .catch(function () { /* the person closed the share sheet */ });
  });

  /* "Was this helpful?": send the vote and put the thanks where the buttons were. */
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("feedback")) { return; }
    event.preventDefault();
    var body = new URLSearchParams(new FormData(form));
    if (event.submitter && event.submitter.name) { body.append(event.submitter.name, event.submitter.value); }
    fetch(form.getAttribute("action"), {
      method: "POST", body: body, cache: "no-store", credentials: "same-origin",
      headers: { "X-Fragment": "feedback" }
    }).then(function (response) { return response.text(); }).then(function (html) {
      form.innerHTML = html;
    }).catch(function () {
      form.insertAdjacentHTML("beforeend", '<p class="form-error" role="alert">Sorry, that could not be sent.</p>');
    });
  });

  document.addEventListener("answer-added", function (event) { reveal(event.target); });
  reveal(document);
}());
