/// The page's style sheet and script, served from the binary (no file is fetched from anywhere else).
enum Assets {
    static let css = """
        body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1d2330; }
        header { background: #243048; color: #fff; padding: 8px 16px; display: flex; gap: 16px; align-items: center; flex-wrap: wrap; }
        header a { color: #dfe7ff; margin-right: 10px; }
        header .who { display: inline; margin-left: 16px; }
        main { padding: 16px; }
        table { border-collapse: collapse; margin: 8px 0; }
        th, td { border: 1px solid #ccd3e0; padding: 4px 8px; text-align: left; vertical-align: top; }
        .counts .count { display: inline-block; margin-right: 16px; font-size: 18px; }
        .board { display: flex; gap: 12px; align-items: flex-start; overflow-x: auto; }
        .column { background: #eef1f7; padding: 8px; min-width: 220px; border-radius: 6px; }
        .column.over { outline: 2px dashed #4b6cb7; }
        .card { background: #fff; border: 1px solid #ccd3e0; border-radius: 4px; padding: 6px; margin: 6px 0; }
        .same { color: #17753a; } .differs { color: #b3261e; } .missing { color: #7a7f8c; }
        .error, .refused { color: #b3261e; } .ok, .done { color: #17753a; }
        .calendar td { width: 13%; height: 80px; } .calendar td.out { background: #f4f5f8; color: #aab; }
        .task.overdue { color: #b3261e; }
        svg.chart rect.c1 { fill: #4b6cb7; } svg.chart rect.c2 { fill: #7e57c2; } svg.chart rect.c3 { fill: #90a4ae; }
        svg.chart rect.c4 { fill: #26a69a; } svg.chart rect.c5 { fill: #e53935; } svg.chart text { font-size: 12px; }
        """

    /// Keyboard shortcuts on the review page, drag and drop on the boards; every change still goes through a form
    /// post with the CSRF token, so the page works without this script.
    static let js = """
        document.addEventListener('keydown', function (e) {
          if (e.ctrlKey || e.metaKey || e.altKey || e.repeat) return;
          if (e.target && /input|select|textarea/i.test(e.target.tagName)) return;
          var form = document.querySelector('form[data-key="' + e.key + '"]');
          if (form) { e.preventDefault(); form.submit(); }
        });
        document.querySelectorAll('.card[draggable]').forEach(function (card) {
          card.addEventListener('dragstart', function (e) { e.dataTransfer.setData('text/plain', card.id); });
        });
        document.querySelectorAll('.column').forEach(function (col) {
          col.addEventListener('dragover', function (e) { e.preventDefault(); col.classList.add('over'); });
          col.addEventListener('dragleave', function () { col.classList.remove('over'); });
          col.addEventListener('drop', function (e) {
            e.preventDefault();
            var card = document.getElementById(e.dataTransfer.getData('text/plain'));
            if (!card) return;
            var form = card.querySelector('form');
            form.querySelector('select[name="to"]').value = col.getAttribute('data-column');
            form.submit();
          });
        });
        """
}
