/*
 * What amoCRM does on a widget's advanced settings page (Settings → Integrations → the widget →
 * its own tab), reduced to this page: an APP global, RequireJS loading jQuery and the widget's
 * script.js from the widget's files (params.path), the widget's system methods mixed into the
 * instance, an empty #work-area-<widget_code>, then render -> init -> advancedSettings.
 * window.AMO_PAGE may set { backend, token, lang, langs }: the end-to-end test serves this page at
 * an amoCRM origin with a disposable token and the i18n file amoCRM would hand the widget;
 * /demo/console runs it on the demo backend without a token and fetches the file.
 */
(function () {
  'use strict';
  var page = window.AMO_PAGE || {};
  var backend = page.backend || location.origin;
  var lang = page.lang || (/[?&]lang=en\b/.test(location.search) ? 'en' : 'ru');
  var code = 'amo-address';
  var cardLink = document.querySelector('a[href="/demo"]');
  if (cardLink) cardLink.setAttribute('href', '/demo?lang=' + lang);
  window.APP = window.AMOCRM = { data: { current_card: null }, lang_id: lang, getWidgetsArea: function () { return 'advanced_settings'; } };

  requirejs.config({ paths: { jquery: backend + '/vendor/jquery' } });
  require(['jquery', backend + '/demo/widget/script.js'], function ($, Widget) {
    (page.langs ? $.Deferred().resolve(page.langs) : $.getJSON(backend + '/demo/widget/i18n/' + lang + '.json')).then(function (langs) {
      var widget = new Widget();
      widget.langs = langs;
      widget.params = { path: backend + '/demo/widget', widget_code: code };
      widget.system = function () { return { area: 'advanced_settings', amouser_id: 1 }; };
      widget.get_settings = function () { return { field_ids: '762381', backend_url: backend, active: 'Y', widget_code: code }; };
      // amoCRM's $authorizedAjax adds the disposable token; the demo backend has no amoCRM credentials and needs none.
      widget.$authorizedAjax = function (options) {
        return $.ajax(page.token ? $.extend({}, options, { headers: { 'X-Auth-Token': page.token } }) : options);
      };
      window.widget = widget;
      widget.callbacks.render();
      widget.callbacks.init();
      widget.callbacks.advancedSettings();
      document.body.setAttribute('data-widget-ready', 'true');
    });
  });
})();
