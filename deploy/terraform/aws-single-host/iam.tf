# Least privilege: the host may write its own log group, read (and, once, set) its own secrets, use its
# own bucket, and nothing else. DLM gets the AWS service role for snapshots.

# Who may assume each role: one AWS service per role.
locals {
  assume_role = { for role, service in {
    host = "ec2.amazonaws.com"
    dlm  = "dlm.amazonaws.com"
    flow = "vpc-flow-logs.amazonaws.com"
    } : role => jsonencode({
      Version   = "2012-10-17"
      Statement = [{ Effect = "Allow", Principal = { Service = service }, Action = "sts:AssumeRole" }]
  }) }
}

resource "aws_iam_role" "host" {
  name               = "${var.name}-host"
  assume_role_policy = local.assume_role["host"]
}

resource "aws_iam_instance_profile" "host" {
  name = "${var.name}-host"
  role = aws_iam_role.host.name
}

resource "aws_iam_role_policy" "host" {
  name = "${var.name}-host"
  role = aws_iam_role.host.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat([
      {
        Sid      = "Logs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
        Resource = "${aws_cloudwatch_log_group.app.arn}:*"
      },
      {
        # The JWT secret is generated on the host at first boot (so it never sits in Terraform state).
        Sid      = "OwnSecrets"
        Effect   = "Allow"
        Action   = ["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "secretsmanager:DescribeSecret"]
        Resource = [aws_secretsmanager_secret.jwt.arn]
      },
      {
        Sid      = "ArchiveBucketList"
        Effect   = "Allow"
        Action   = ["s3:ListBucket"]
        Resource = [aws_s3_bucket.archive.arn]
      },
      {
        Sid      = "ArchiveBucketObjects"
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:PutObject"]
        Resource = ["${aws_s3_bucket.archive.arn}/*"]
      },
      ], var.enable_rds ? [{
        Sid      = "DatabaseSecret"
        Effect   = "Allow"
        Action   = ["secretsmanager:GetSecretValue"]
        Resource = [module.rds[0].master_secret_arn]
    }] : [])
  })
}

resource "aws_iam_role_policy_attachment" "ssm" {
  count      = var.enable_ssm ? 1 : 0
  role       = aws_iam_role.host.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
}

resource "aws_iam_role" "dlm" {
  name               = "${var.name}-dlm"
  assume_role_policy = local.assume_role["dlm"]
}

resource "aws_iam_role_policy_attachment" "dlm" {
  role       = aws_iam_role.dlm.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSDataLifecycleManagerServiceRole"
}

# The JWT signing secret. Terraform creates the container only; the host puts a random value in it at
# first boot (openssl rand -hex 32) and reads it at every start.
resource "aws_secretsmanager_secret" "jwt" {
  name_prefix             = "${var.name}/jwt-secret-"
  description             = "HALOCLINE_JWT_SECRET of the ${var.name} host"
  recovery_window_in_days = 7
}
