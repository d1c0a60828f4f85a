# The host: one EC2 instance running the halocline image (Docker, a systemd unit), its store on a separate
# encrypted EBS volume (snapshotted daily by DLM), an Elastic IP and an optional Route53 record.

data "aws_ssm_parameter" "al2023" {
  count = var.ami_id == null ? 1 : 0
  name  = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
}

locals {
  ami_id        = var.ami_id != null ? var.ami_id : nonsensitive(data.aws_ssm_parameter.al2023[0].value)
  snapshot_tag  = "${var.name}-daily"
  rds_secret    = var.enable_rds ? module.rds[0].master_secret_arn : ""
  rds_endpoint  = var.enable_rds ? module.rds[0].endpoint : ""
  rds_database  = var.enable_rds ? module.rds[0].database : ""
  database_mode = var.enable_rds ? "rds" : "sqlite"
}

resource "aws_ebs_volume" "data" {
  availability_zone = local.azs[0]
  size              = var.data_volume_gb
  type              = "gp3"
  encrypted         = true
  tags = {
    Name     = "${var.name}-data"
    Snapshot = local.snapshot_tag
  }
}

resource "aws_instance" "host" {
  ami                         = local.ami_id
  instance_type               = var.instance_type
  subnet_id                   = aws_subnet.public.id
  vpc_security_group_ids      = [aws_security_group.host.id]
  iam_instance_profile        = aws_iam_instance_profile.host.name
  key_name                    = var.ssh_key_name
  ebs_optimized               = true
  monitoring                  = false
  associate_public_ip_address = false
  user_data_replace_on_change = true
  user_data = templatefile("${path.module}/user_data.sh.tftpl", {
    region         = var.region
    image          = var.image
    data_volume_id = aws_ebs_volume.data.id
    log_group      = aws_cloudwatch_log_group.app.name
    jwt_secret_arn = aws_secretsmanager_secret.jwt.arn
    domain_name    = var.domain_name == null ? "" : var.domain_name
    database_mode  = local.database_mode
    rds_secret_arn = local.rds_secret
    rds_endpoint   = local.rds_endpoint
    rds_database   = local.rds_database
    archive_bucket = aws_s3_bucket.archive.bucket
  })

  metadata_options {
    http_tokens                 = "required" # IMDSv2 only
    http_endpoint               = "enabled"
    http_put_response_hop_limit = 1
  }

  root_block_device {
    volume_type           = "gp3"
    volume_size           = 16
    encrypted             = true
    delete_on_termination = true
  }

  tags = { Name = var.name }

  lifecycle {
    ignore_changes = [ami]
  }
}

resource "aws_volume_attachment" "data" {
  device_name = "/dev/sdf"
  volume_id   = aws_ebs_volume.data.id
  instance_id = aws_instance.host.id
}

resource "aws_eip" "host" {
  domain   = "vpc"
  instance = aws_instance.host.id
  tags     = { Name = var.name }
}

resource "aws_route53_record" "site" {
  count   = var.route53_zone_id != null && var.domain_name != null ? 1 : 0
  zone_id = var.route53_zone_id
  name    = var.domain_name
  type    = "A"
  ttl     = 300
  records = [aws_eip.host.public_ip]
}

# Daily snapshots of the data volume (05:00 UTC), the last snapshot_retention_count kept.
resource "aws_dlm_lifecycle_policy" "data" {
  description        = "${var.name} daily data volume snapshots"
  execution_role_arn = aws_iam_role.dlm.arn
  state              = "ENABLED"

  policy_details {
    resource_types = ["VOLUME"]
    target_tags    = { Snapshot = local.snapshot_tag }

    schedule {
      name      = "daily"
      copy_tags = true
      create_rule {
        interval      = 24
        interval_unit = "HOURS"
        times         = ["05:00"]
      }
      retain_rule {
        count = var.snapshot_retention_count
      }
    }
  }
}

module "rds" {
  count                 = var.enable_rds ? 1 : 0
  source                = "./modules/rds"
  name                  = var.name
  vpc_id                = aws_vpc.this.id
  subnet_ids            = aws_subnet.db[*].id
  client_security_group = aws_security_group.host.id
  instance_class        = var.rds_instance_class
}
