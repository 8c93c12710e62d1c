# The application image. Build the jar first: ./mvnw -DskipTests package
FROM eclipse-temurin:21-jre
RUN useradd --system --create-home trackstack
COPY backend/target/trackstack.jar /opt/trackstack/trackstack.jar
USER trackstack
EXPOSE 8080
ENV SERVER_ADDRESS=0.0.0.0
ENTRYPOINT ["java", "-jar", "/opt/trackstack/trackstack.jar"]
