/* Presentation mode: arrow keys (and PageUp/PageDown, as presenters' clickers send) move to the
   previous/next case of the agenda; Escape leaves the presentation. Links do the navigating,
   so the keys work exactly like clicking them (and keyboard users can Tab to them too). */
document.addEventListener("keydown", function (event) {
  if (!/\/present\/?$/.test(window.location.pathname)) { return; }
  const target = event.target;
  if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) {
    return;
  }
  const ids = { ArrowRight: "next-case", PageDown: "next-case", ArrowLeft: "prev-case",
                PageUp: "prev-case", Escape: "exit-present" };
  const id = ids[event.key];
  const link = id && document.getElementById(id);
  if (link && link.tagName === "A") {
    event.preventDefault();
    link.click();
  }
});
