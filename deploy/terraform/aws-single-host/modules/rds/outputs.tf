output "endpoint" {
  description = "host:port of the instance."
  value       = aws_db_instance.this.endpoint
}

output "database" {
  description = "Database name."
  value       = aws_db_instance.this.db_name
}

output "master_secret_arn" {
  description = "Secrets Manager secret (JSON username/password) that RDS manages."
  value       = aws_db_instance.this.master_user_secret[0].secret_arn
}
