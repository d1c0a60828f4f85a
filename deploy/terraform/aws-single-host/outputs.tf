output "public_ip" {
  description = "The host's Elastic IP."
  value       = aws_eip.host.public_ip
}

output "url" {
  description = "Where halocline answers."
  value       = var.domain_name != null ? "https://${var.domain_name}" : "http://${aws_eip.host.public_ip}"
}

output "instance_id" {
  description = "For `aws ssm start-session --target ...`."
  value       = aws_instance.host.id
}

output "archive_bucket" {
  description = "S3 bucket for archives and model artifacts."
  value       = aws_s3_bucket.archive.bucket
}

output "jwt_secret_arn" {
  description = "Secrets Manager secret holding HALOCLINE_JWT_SECRET (set by the host at first boot)."
  value       = aws_secretsmanager_secret.jwt.arn
}

output "database_secret_arn" {
  description = "Secrets Manager secret of the RDS master password (RDS manages it), when enable_rds."
  value       = var.enable_rds ? module.rds[0].master_secret_arn : null
}

output "log_group" {
  description = "CloudWatch log group of the container logs."
  value       = aws_cloudwatch_log_group.app.name
}
