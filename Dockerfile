# One image recipe for every service; docker-compose.yml passes SERVICE. It runs the jar Maven built,
# so build first from the repository root: ./mvnw -DskipTests package (docker compose build does not
# run Maven). Configured only through environment variables: see docker-compose.yml.
FROM eclipse-temurin:17-jre

ARG SERVICE
RUN useradd --system --no-create-home --shell /usr/sbin/nologin ledger
WORKDIR /app
COPY ${SERVICE}/target/${SERVICE}-exec.jar /app/app.jar
USER ledger

# No curl in the image: bash's /dev/tcp asks /actuator/health, which answers 200 only when UP.
# SERVER_PORT comes from the compose environment.
HEALTHCHECK --interval=10s --timeout=5s --start-period=90s --retries=6 \
  CMD bash -c 'exec 3<>/dev/tcp/127.0.0.1/${SERVER_PORT} && printf "GET /actuator/health HTTP/1.0\r\n\r\n" >&3 && head -n 1 <&3 | grep -q " 200"'

ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/app.jar"]
