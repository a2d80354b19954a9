// The language chooser (/index.html) picks an edition by the browser's language.
// Without JavaScript the page is two plain links. zh-CN, zh-SG, zh-Hans → 简体; otherwise 繁體.
(function () {
  "use strict";
  var langs = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || ""];
  var code = "zh-hant";
  for (var i = 0; i < langs.length; i++) {
    var lang = String(langs[i]).toLowerCase();
    if (lang.indexOf("zh") !== 0) continue;
    if (/hans|-cn|-sg|-my/.test(lang)) code = "zh-hans";
    break;
  }
  var link = document.querySelector('a[data-edition="' + code + '"]');
  if (link) window.location.replace(link.href);
})();
