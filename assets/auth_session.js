// Internal sign-in (auth/gate.py): when the session has ended, Dash's requests come back 401 with
// an X-SeaStat-Signin header naming the sign-in page; go there and come back to this view after.
// The public site never sends that header, so there this does nothing.
(function () {
    if (!window.fetch) { return; }
    var originalFetch = window.fetch;
    var leaving = false;
    window.fetch = function () {
        return originalFetch.apply(this, arguments).then(function (response) {
            var signin = response.status === 401 && response.headers.get('X-SeaStat-Signin');
            if (signin && !leaving && signin.charAt(0) === '/' && signin.charAt(1) !== '/') {
                leaving = true;
                var here = window.location.pathname + window.location.search;
                window.location.assign(signin + '?next=' + encodeURIComponent(here));
            }
            return response;
        });
    };
})();
