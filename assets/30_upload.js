/* Adding a case: the chosen files go straight to the server's upload route (POST /add/upload),
   one at a time and as they are, so the server streams them to disk (mtb.web.uploads) instead
   of receiving them base64-encoded inside a callback. The "Add case" button runs `send`
   (a clientside callback); its answer ({upload} or {error}) sets off the server's callback,
   which checks the staged files and stores the case. */
(function () {
  "use strict";
  const INPUT = "#add-upload input[type=file]";

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)_csrf_token=([^;]*)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function megabytes(bytes) {
    return Math.floor(bytes / 1048576) + " MB";
  }

  /* the file input itself, in the page's empty slot (Dash has none that leaves the files on
     disk until they are sent) */
  function addInput() {
    document.querySelectorAll("#add-upload .file-slot").forEach(function (slot) {
      if (slot.querySelector("input")) { return; }
      const input = document.createElement("input");
      input.type = "file";
      input.multiple = true;
      input.id = "add-file-input";
      input.className = "form-control";
      slot.appendChild(input);
    });
  }
  new MutationObserver(addInput).observe(document.documentElement,
                                         { childList: true, subtree: true });

  /* the chosen files' names, for the list under the input */
  document.addEventListener("change", function (event) {
    if (!event.target || !event.target.matches || !event.target.matches(INPUT)) { return; }
    const names = Array.from(event.target.files || []).map(function (f) { return f.name; });
    if (window.dash_clientside && window.dash_clientside.set_props) {
      window.dash_clientside.set_props("add-chosen", { data: names });
    }
  });

  async function send(clicks) {
    const noUpdate = window.dash_clientside.no_update;
    if (!clicks) { return noUpdate; }
    const input = document.querySelector(INPUT);
    const files = input ? Array.from(input.files || []) : [];
    if (!files.length) { return { error: "files: no files were uploaded", clicks: clicks }; }
    const zone = document.getElementById("add-upload");
    const limit = Number((zone && zone.dataset.limit) || 0);
    const total = files.reduce(function (sum, f) { return sum + f.size; }, 0);
    if (limit > 0 && total > limit) {
      return { error: "files: " + megabytes(total) + " together; at most " + megabytes(limit) +
               " may be uploaded for one case", clicks: clicks };
    }
    let upload = "";
    for (const file of files) {
      const url = "/add/upload?name=" + encodeURIComponent(file.name) +
                  (upload ? "&upload=" + encodeURIComponent(upload) : "");
      let response;
      try {
        response = await fetch(url, {
          method: "POST", body: file, credentials: "same-origin", cache: "no-store",
          headers: { "X-CSRFToken": csrfToken(), "Content-Type": "application/octet-stream" },
        });
      } catch (failure) {
        return { error: file.name + ": the upload failed (" + failure + ")", clicks: clicks };
      }
      let answer = {};
      try { answer = await response.json(); } catch (ignored) { answer = {}; }
      if (!response.ok || !answer.upload) {
        return { error: answer.error || (file.name + ": refused by the server (HTTP " +
                 response.status + ")"), clicks: clicks };
      }
      upload = answer.upload;
    }
    return { upload: upload, clicks: clicks };
  }

  window.dash_clientside = window.dash_clientside || {};
  window.dash_clientside.mtb_upload = { send: send };
})();
