"""Sign-in attempt limits (django-axes) for the sign-ins that come with a request."""

from axes.backends import AxesStandaloneBackend


class SignInAttemptsBackend(AxesStandaloneBackend):
    """Refuses a locked-out username and address before any password is checked.

    Axes counts attempts by the request's address, so a sign-in without a request (code
    that calls `authenticate` itself, such as the test client's `login`) has nothing to
    count by and is left to the next backend.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
