FROM python:3.12-slim
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY . .
RUN pip install . \
    && SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput
RUN useradd --system --create-home pycharter && mkdir -p /data/media \
    && chown pycharter /data/media
USER pycharter
EXPOSE 8000
CMD ["gunicorn", "-c", "pycharter_site/gunicorn.conf.py", "pycharter_site.wsgi"]
